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
  /** The key of a request that may be answered from the cache; undefined: it may not. */
  keyOf(request: FastifyRequest, edge: EdgeState): string | undefined
  get(key: string): KeptAnswer | undefined
  /** Keeps an upstream's whole answer to the request `key` names, if it says it may be kept. */
  keep(
    key: string,
    response: Pick<UpstreamResponse, 'statusCode' | 'headers' | 'surrogate'>,
    body: Buffer,
  ): void
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
  })
  return {
    keyOf(request, edge) {
      if (options.ttlMs <= 0 || request.method !== 'GET') return undefined
      const headers = request.headers
      if (headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined)
        return undefined
      if (headers.range !== undefined) return undefined
      if (edge.identity && isStaff(edge.identity.roles)) return undefined
      const kind = headers.authorization === undefined ? 'public' : 'private'
      return `${kind} ${cacheKey(request.url)}`
    },
    get: (key) => entries.get(key),
    keep(key, response, body) {
      if (response.statusCode !== 200) return
      const ttl = Math.min(options.ttlMs, surrogateMaxAgeMs(response.surrogate))
      if (ttl <= 0) return
      const { headers } = response
      if (headers['set-cookie'] !== undefined || headers['content-encoding'] !== undefined) return
      const vary = String(headers.vary ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean)
      if (vary.some((name) => !keyedVary.has(name))) return
      const kept: KeptAnswer['headers'] = {}
      for (const name in headers) if (!notKept.has(name)) kept[name] = headers[name]
      entries.set(key, { headers: kept, body }, { ttl })
    },
  }
}
