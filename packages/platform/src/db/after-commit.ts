import type { Database } from './database.js'

/** What to run when a transaction ends: once committed, or once rolled back. */
export interface TransactionEnd {
  committed(): void
  rolledBack(): void
}

/**
 * The service's database with "after commit" callbacks: a consumer's transaction (opened by the
 * platform's inbox through `database.transaction`, one per batch of events) can ask to run
 * something once its change is visible to every connection, e.g. waking a background worker of
 * this replica that will read it. Nothing runs when the transaction rolls back.
 */
export function withAfterCommit<DB>(database: Database<DB>): {
  database: Database<DB>
  afterCommit(trx: object, callback: () => void): void
  /**
   * Runs `end.committed` or `end.rolledBack` when `trx` ends, e.g. to hand work reserved inside
   * it to a worker or to give the reservation back. False (nothing registered) when `trx` is not
   * a transaction opened here: the caller cannot know its end and must not reserve.
   */
  afterEnd(trx: object, end: TransactionEnd): boolean
} {
  const pending = new WeakMap<object, TransactionEnd[]>()
  const quietly = (callback: () => void) => {
    try {
      callback()
    } catch {
      // A wake-up or a hand-over is an optimization; the committed change stands either way.
    }
  }
  return {
    database: {
      ...database,
      async transaction(fn) {
        const ends: TransactionEnd[] = []
        let result
        try {
          result = await database.transaction((trx) => {
            pending.set(trx, ends)
            return fn(trx)
          })
        } catch (error) {
          for (const end of ends) quietly(() => end.rolledBack())
          throw error
        }
        for (const end of ends) quietly(() => end.committed())
        return result
      },
    },
    afterCommit(trx, callback) {
      const ends = pending.get(trx)
      // Not a transaction opened here: run it now (whoever waits polls as well).
      if (ends) ends.push({ committed: callback, rolledBack: () => {} })
      else callback()
    },
    afterEnd(trx, end) {
      const ends = pending.get(trx)
      if (!ends) return false
      ends.push(end)
      return true
    },
  }
}
