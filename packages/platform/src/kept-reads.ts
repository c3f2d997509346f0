/**
 * Reads of rarely changed rows kept in memory for `ttlMs`, per key (issue 14: a shipping quote's
 * zones and methods, a placement's tax rates; each read was a database transaction of its own
 * on every checkout). This replica's own changes empty it once they committed (`clearingOnWrite`),
 * so they show here at once; another replica's show within `ttlMs`. A read that a change
 * overtook is not kept. At most `maxKeys` keys are kept (the oldest go first).
 */
export interface KeptReads<K, V> {
  get(key: K): Promise<V>
  /** Forgets what is kept: a change committed. */
  clear(): void
}

export function createKeptReads<K, V>(deps: {
  read: (key: K) => Promise<V>
  ttlMs: number
  now?: () => number
  maxKeys?: number
}): KeptReads<K, V> {
  const now = deps.now ?? Date.now
  const maxKeys = deps.maxKeys ?? 1_000
  const kept = new Map<K, { value: V; at: number }>()
  let generation = 0
  return {
    async get(key) {
      const found = kept.get(key)
      if (found && now() - found.at < deps.ttlMs) return found.value
      const started = generation
      const at = now()
      const value = await deps.read(key)
      if (started === generation && deps.ttlMs > 0) {
        kept.delete(key)
        kept.set(key, { value, at })
        if (kept.size > maxKeys) kept.delete(kept.keys().next().value as K)
      }
      return value
    },
    clear() {
      generation += 1
      kept.clear()
    },
  }
}

/**
 * `store` whose methods named in `writes` empty `cache` once they have settled (committed, or
 * failed: a failure may still have committed, and emptying loses nothing but a read).
 */
export function clearingOnWrite<S extends object>(
  store: S,
  writes: ReadonlyArray<keyof S>,
  cache: { clear(): void },
): S {
  const wrapped = { ...store }
  for (const name of writes) {
    const write = store[name] as (...args: unknown[]) => Promise<unknown>
    ;(wrapped as Record<keyof S, unknown>)[name] = async (...args: unknown[]) => {
      try {
        return await write.apply(store, args)
      } finally {
        cache.clear()
      }
    }
  }
  return wrapped
}
