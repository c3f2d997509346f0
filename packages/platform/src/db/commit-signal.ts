import type { DatabaseConnection, Dialect, Driver, Transaction } from 'kysely'

// Connections whose open transaction wrote something another party waits for (outbox rows).
const marked = new WeakSet<DatabaseConnection>()

/**
 * Asks for a signal when the transaction `trx` commits (the outbox calls it for each row it
 * writes, so the relay publishes at once instead of at its next poll). Nothing is signalled
 * when the transaction rolls back.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any service's transaction (Kysely<DB> is invariant in DB)
export async function signalOnCommit(trx: Transaction<any>): Promise<void> {
  await trx.getExecutor().provideConnection(async (connection) => {
    marked.add(connection)
  })
}

/**
 * The dialect with its driver watched: `onCommit` runs after each commit of a transaction that
 * asked for it (`signalOnCommit`). Listeners must not throw and should be cheap: they run on the
 * committing caller's path.
 */
export function withCommitSignal(dialect: Dialect, onCommit: () => void): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => watched(dialect.createDriver(), onCommit),
  }
}

function watched(driver: Driver, onCommit: () => void): Driver {
  return new Proxy(driver, {
    get(target, property) {
      if (property === 'commitTransaction') {
        return async (connection: DatabaseConnection) => {
          await target.commitTransaction(connection)
          if (marked.delete(connection)) onCommit()
        }
      }
      if (property === 'rollbackTransaction') {
        return async (connection: DatabaseConnection) => {
          marked.delete(connection)
          await target.rollbackTransaction(connection)
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
