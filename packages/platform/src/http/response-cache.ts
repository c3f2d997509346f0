import { etagOf } from './etag.js'

/** A cached response: its serialized body and what describes it. */
export interface CachedResponse {
  body: string
  etag: string
  contentType: string
  /** When it was stored (ms). */
  storedAt: number
}

export interface ResponseCacheOptions {
  /** Most responses kept (least recently used go first). */
  maxEntries?: number
  /** Most bytes of bodies kept (counted as UTF-16 length: close enough for JSON). */
  maxBytes?: number
  /**
   * Longest an entry is served (default 60 s): the bound for what changes without telling the
   * owner (a word list refreshed on a timer, a row edited by hand).
   */
  ttlMs?: number
  now?: () => number
}

/** A fill in flight: what concurrent misses of one key wait for instead of asking again. */
export interface Fill {
  /** Stores the body (unless the cache was cleared since the fill began); hands it to waiters. */
  done(body: string, contentType: string): CachedResponse
  /** Nothing to store (an error, a 404): waiters run their own request. */
  failed(): void
}

export interface ResponseCache {
  get(key: string): CachedResponse | undefined
  /** Another request is filling `key`: its result, or undefined when it fails. */
  pending(key: string): Promise<CachedResponse | undefined> | undefined
  /** Starts filling `key`; concurrent misses find it with `pending`. */
  fill(key: string): Fill
  /**
   * Forgets everything. Fills begun before are neither stored nor joined: a read that began
   * before a change committed may hold what the change replaced.
   */
  clear(): void
  readonly size: number
  readonly bytes: number
}

/**
 * A bounded in-memory LRU of serialized responses, one per process, emptied by the owner when
 * the data behind it changes. Concurrent misses of one key run once (single flight). Written
 * here rather than taken from a package: a Map in insertion order is the whole LRU.
 */
export function createResponseCache(options: ResponseCacheOptions = {}): ResponseCache {
  const maxEntries = options.maxEntries ?? 10_000
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024
  const ttlMs = options.ttlMs ?? 60_000
  const now = options.now ?? Date.now
  let entries = new Map<string, CachedResponse>()
  let flights = new Map<string, Promise<CachedResponse | undefined>>()
  let bytes = 0
  let generation = 0

  function store(key: string, entry: CachedResponse) {
    const old = entries.get(key)
    if (old) {
      entries.delete(key)
      bytes -= old.body.length
    }
    if (entry.body.length > maxBytes) return
    entries.set(key, entry)
    bytes += entry.body.length
    for (const [oldest, value] of entries) {
      if (entries.size <= maxEntries && bytes <= maxBytes) break
      entries.delete(oldest)
      bytes -= value.body.length
    }
  }

  return {
    get(key) {
      const entry = entries.get(key)
      if (entry && now() - entry.storedAt >= ttlMs) {
        entries.delete(key)
        bytes -= entry.body.length
        return undefined
      }
      if (entry) {
        // Most recently used last.
        entries.delete(key)
        entries.set(key, entry)
      }
      return entry
    },
    pending: (key) => flights.get(key),
    fill(key) {
      const began = generation
      let settle: (entry: CachedResponse | undefined) => void = () => {}
      const flight = new Promise<CachedResponse | undefined>((resolve) => (settle = resolve))
      const owned = flights
      owned.set(key, flight)
      let ended = false
      const end = (entry: CachedResponse | undefined) => {
        ended = true
        if (owned.get(key) === flight) owned.delete(key)
        settle(entry)
      }
      return {
        done(body, contentType) {
          const entry = { body, contentType, etag: etagOf(body), storedAt: now() }
          if (generation === began && !ended) store(key, entry)
          end(entry)
          return entry
        },
        failed: () => end(undefined),
      }
    },
    clear() {
      generation += 1
      entries = new Map()
      flights = new Map()
      bytes = 0
    },
    get size() {
      return entries.size
    },
    get bytes() {
      return bytes
    },
  }
}
