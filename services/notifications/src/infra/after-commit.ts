import type { Database } from '@emporium/platform'

/**
 * The service's database with "after commit" callbacks: the consumers' transactions (opened by
 * the platform's inbox through `database.transaction`) can ask to run something once their
 * change is visible to every connection, e.g. waking the status streams of this replica.
 */
export function withAfterCommit(database: Database): {
  database: Database
  afterCommit(trx: object, callback: () => void): void
} {
  const pending = new WeakMap<object, Array<() => void>>()
  return {
    database: {
      ...database,
      async transaction(fn) {
        const callbacks: Array<() => void> = []
        const result = await database.transaction((trx) => {
          pending.set(trx, callbacks)
          return fn(trx)
        })
        for (const callback of callbacks) {
          try {
            callback()
          } catch {
            // A wake-up is an optimization; the committed change stands either way.
          }
        }
        return result
      },
    },
    afterCommit(trx, callback) {
      const callbacks = pending.get(trx)
      // Not a transaction opened here: run it now (the streams' polling catches up anyway).
      if (callbacks) callbacks.push(callback)
      else callback()
    },
  }
}
