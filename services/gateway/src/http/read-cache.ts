import { isStaff } from '@emporium/contracts'
import { cacheKey } from '@emporium/platform'
import type { FastifyRequest } from 'fastify'
import { LRUCache } from 'lru-cache'
import type { EdgeState } from './edge.js'
import type { UpstreamResponse } from './upstream-errors.js'

/** An answer kept for its URL: sent again as the upstream sent it. */
export interface KeptAnswer {
  headers: UpstreamResponse['headers']
  body: Buffer
}

/**
 * The gateway's short-lived cache of public reads (issue 20): an upstream's 200 that carries
 * `surrogate-control: max-age=N` (the platform's cached reads, for answers that are the same for
 * every caller who is not staff) is kept for min(N s, `ttlMs`) and sent again to the next GET of
 * the same URL (parameters in any order) by anonymous callers, or by signed-in callers who are
 * not staff, each kind its own copy (their `cache-control` differs: public or private). Staff,
 * conditional and ranged requests and HEADs always reach the upstream; so does everything while
 * `ttlMs` is 0. `surrogate-control` is meant for this cache alone (the Edge Architecture
 * specification): clients never see it.
 *
 * The cost is staleness: an answer may be `ttlMs` older than the upstream's own bound (for the
 * catalog, its outbox tail's poll). Bounded by entries' bytes (`maxBytes`).
 */
export interface ReadCache {
  /**
   * Where the request to `upstream` may be answered from the cache; undefined: it may not. Taken
   * before the request is forwarded: a write through this gateway in between voids it.
   */
  slotOf(request: FastifyRequest, edge: EdgeState, upstream: string): CacheSlot | undefined
  get(slot: CacheSlot): KeptAnswer | undefined
  /** Keeps an upstream's whole answer in `slot`, if it says it may be kept. */
  keep(
    slot: CacheSlot,
    response: Pick<UpstreamResponse, 'statusCode' | 'headers' | 'surrogate'>,
    body: Buffer,
  ): void
  /**
   * A write (any method but GET, HEAD, OPTIONS) went to `upstream` and got `status` (none: no
   * answer came, it may have been applied): unless refused (4xx), the upstream's kept answers are
   * dropped and reads begun before are not kept, so that this gateway reads its writes back.
   */
  wrote(upstream: string, status: number | undefined): void
}

/** A request's place in the cache: its key, and the upstream's writes seen when it began. */
export interface CacheSlot {
  upstream: string
  key: string
  writes: number
}

/** `surrogate-control`'s max-age in ms, when the upstream allows this cache to keep its answer. */
export function surrogateMaxAgeMs(value: string | undefined): number {
  if (typeof value !== 'string' || /(?:^|[\s,])no-store(?:[\s,;]|$)/i.test(value)) return 0
  const match = /(?:^|[\s,])max-age\s*=\s*(\d+)/i.exec(value)
  return match ? Number(match[1]) * 1000 : 0
}

// What varies an answer that this cache keys on: the caller's kind (its own copy), the encoding
// (the gateway encodes after the cache). Any other `vary` is not kept.
const keyedVary = new Set(['authorization', 'accept-encoding'])
// Set per answer when it is sent (a replayed `date` would be old).
const notKept = new Set(['date'])

export function createReadCache(options: { ttlMs: number; maxBytes: number }): ReadCache {
  const entries = new LRUCache<string, KeptAnswer>({
    maxSize: Math.max(1, options.maxBytes),
    // Headers are a few hundred bytes: counted roughly, so that many tiny answers stay bounded.
    sizeCalculation: (answer) => answer.body.length + 512,
    ttl: Math.max(1, options.ttlMs),
    // Gone (expired, evicted, dropped): no longer among its upstream's keys.
    dispose: (_answer, key) => kept.get(key.slice(0, key.indexOf(' ')))?.delete(key),
  })
  // Per upstream: writes seen, and the keys kept (to drop them without scanning the rest).
  const writes = new Map<string, number>()
  const kept = new Map<string, Set<string>>()
  return {
    slotOf(request, edge, upstream) {
      if (options.ttlMs <= 0 || request.method !== 'GET') return undefined
      const headers = request.headers
      if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined)
        return undefined
      if (headers.range !== undefined) return undefined
      if (edge.identity && isStaff(edge.identity.roles)) return undefined
      const kind = headers.authorization === undefined ? 'public' : 'private'
      const key = `${upstream} ${kind} ${cacheKey(request.url)}`
      return { upstream, key, writes: writes.get(upstream) ?? 0 }
    },
    get: (slot) => entries.get(slot.key),
    keep(slot, response, body) {
      if (response.statusCode !== 200) return
      if ((writes.get(slot.upstream) ?? 0) !== slot.writes) return // a write came in between
      const ttl = Math.min(options.ttlMs, surrogateMaxAgeMs(response.surrogate))
      if (ttl <= 0) return
      const { headers } = response
      if (headers['set-cookie'] !== undefined || headers['content-encoding'] !== undefined) return
      const vary = String(headers.vary ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean)
      if (vary.some((name) => !keyedVary.has(name))) return
      const copy: KeptAnswer['headers'] = {}
      for (const name in headers) if (!notKept.has(name)) copy[name] = headers[name]
      entries.set(slot.key, { headers: copy, body }, { ttl })
      let keys = kept.get(slot.upstream)
      if (!keys) kept.set(slot.upstream, (keys = new Set()))
      keys.add(slot.key)
    },
    wrote(upstream, status) {
      if (status !== undefined && status >= 400 && status < 500) return
      writes.set(upstream, (writes.get(upstream) ?? 0) + 1)
      const keys = kept.get(upstream)
      if (!keys) return
      kept.delete(upstream)
      for (const key of keys) entries.delete(key)
    },
  }
}
