import { Redis } from 'ioredis'
import type { Logger } from '../log.js'
import { createMemoryRevocationList, type Revocation, type RevocationList } from './revocations.js'

export interface RedisRevocationListOptions {
  /** `redis://host:6379/0`. */
  url: string
  /** The stream's key. Default `emporium:revocations`. */
  key?: string
  /** How often the local view reads what was added since. Default 1000 ms. */
  syncMs?: number
  /** Entries older than this leave the stream (the longest access-token lifetime and more). */
  retentionMs?: number
  log?: Logger
  now?: () => number
}

/**
 * The list shared by every process of the distributed mode: entries are appended to a Redis
 * stream (one atomic, ordered log), and each process reads what was appended since its last read
 * every second into a local view that answers every check. A check therefore never waits for
 * Redis, and a revocation reaches every verifier within about a second.
 *
 * When Redis cannot be reached the view keeps what it has (fail open, with a warning each outage
 * and `stale()` for a metric): refusing every token would sign out the whole shop for an outage of
 * a cache, and what it could miss is bounded by the access-token lifetime. Adding an entry does
 * fail then (the caller, the users service, answers 503 and keeps the entry in its database).
 */
export function createRedisRevocationList(
  options: RedisRevocationListOptions,
): RevocationList & { sync(): Promise<void>; stale(): boolean } {
  const key = options.key ?? 'emporium:revocations'
  const syncMs = options.syncMs ?? 1000
  const retentionMs = options.retentionMs ?? 25 * 3600_000
  const now = options.now ?? Date.now
  const view = createMemoryRevocationList({ now })
  const redis = new Redis(options.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
  })
  redis.on('error', () => {
    // Reported by the sync loop, once per outage.
  })
  let lastId = '0-0'
  let failing = false
  let closed = false
  let syncing: Promise<void> | undefined

  async function readNew(): Promise<void> {
    for (;;) {
      const reply = (await redis.xread('COUNT', 1000, 'STREAMS', key, lastId)) as Array<
        [string, Array<[string, string[]]>]
      > | null
      const items = reply?.[0]?.[1] ?? []
      const entries: Revocation[] = []
      for (const [id, fields] of items) {
        lastId = id
        const entry = decode(fields)
        if (entry) entries.push(entry)
      }
      view.apply(entries)
      if (items.length < 1000) return
    }
  }

  async function sync(): Promise<void> {
    syncing ??= readNew()
      .then(() => {
        if (failing) options.log?.info('revocation list: Redis reachable again')
        failing = false
      })
      .catch((error: unknown) => {
        if (!failing) {
          options.log?.warn(
            { err: error },
            'revocation list: Redis unreachable, checking tokens against the last known list',
          )
        }
        failing = true
      })
      .finally(() => {
        syncing = undefined
      })
    return syncing
  }

  const timer = setInterval(() => {
    if (!closed) void sync()
  }, syncMs)
  timer.unref()
  void sync()

  return {
    async add(entries) {
      if (entries.length === 0) return
      const minId = `${Math.max(0, now() - retentionMs)}-0`
      const pipeline = redis.pipeline()
      for (const entry of entries) {
        pipeline.xadd(key, 'MINID', '~', minId, '*', ...encode(entry))
      }
      const results = await pipeline.exec()
      const failed = results?.find(([error]) => error)
      if (failed?.[0]) throw failed[0]
      // This process sees its own entries at once, not at the next sync.
      view.apply(entries)
    },
    isRevoked: (token) => view.isRevoked(token),
    sync,
    stale: () => failing,
    async close() {
      closed = true
      clearInterval(timer)
      await syncing
      redis.disconnect()
    },
  }
}

function encode(entry: Revocation): string[] {
  return entry.kind === 'session'
    ? ['k', 's', 'id', entry.sessionId, 'u', String(entry.until.getTime())]
    : [
        'k',
        'u',
        'id',
        entry.userId,
        'b',
        String(entry.before.getTime()),
        'u',
        String(entry.until.getTime()),
      ]
}

function decode(fields: string[]): Revocation | undefined {
  const map = new Map<string, string>()
  for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i]!, fields[i + 1]!)
  const id = map.get('id')
  const until = Number(map.get('u'))
  if (!id || !Number.isFinite(until)) return undefined
  if (map.get('k') === 's') return { kind: 'session', sessionId: id, until: new Date(until) }
  const before = Number(map.get('b'))
  if (map.get('k') !== 'u' || !Number.isFinite(before)) return undefined
  return { kind: 'user', userId: id, before: new Date(before), until: new Date(until) }
}
