import type { Database } from './database.js'

/**
 * The service's database with "after commit" callbacks: a consumer's transaction (opened by the
 * platform's inbox through `database.transaction`, one per batch of events) can ask to run
 * something once its change is visible to every connection, e.g. waking a background worker of
 * this replica that will read it. Nothing runs when the transaction rolls back.
 */
export function withAfterCommit<DB>(database: Database<DB>): {
  database: Database<DB>
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
      // Not a transaction opened here: run it now (whoever waits polls as well).
      if (callbacks) callbacks.push(callback)
      else callback()
    },
  }
}
