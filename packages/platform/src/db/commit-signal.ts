import type { CompiledQuery, DatabaseConnection, Dialect, Driver, Transaction } from 'kysely'

// Connections whose open transaction wrote something another party waits for (outbox rows).
const marked = new WeakSet<DatabaseConnection>()
// Statements a connection's open transaction sends with its commit (writeAtCommit).
const atCommit = new WeakMap<DatabaseConnection, CompiledQuery[]>()

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
 * Has the transaction `trx` send `statement` (a write whose result nobody reads: an outbox row)
 * just before its commit, and signals the commit as `signalOnCommit` does (unless `signal` is
 * false: the relay marking rows sent wakes nobody). On a pipelined
 * PostgreSQL connection the statements and the `commit` are written together, one round trip for
 * all; elsewhere they run one after the other before it. Should one fail, the transaction rolls
 * back (PostgreSQL answers the `commit` of an aborted transaction with a rollback) and its caller
 * gets that statement's error, as it would have from the statement run on the spot.
 */
export async function writeAtCommit(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as signalOnCommit's
  trx: Transaction<any>,
  statement: CompiledQuery,
  options: { signal?: boolean } = {},
): Promise<void> {
  await trx.getExecutor().provideConnection(async (connection) => {
    if (options.signal !== false) marked.add(connection)
    const queued = atCommit.get(connection)
    if (queued) queued.push(statement)
    else atCommit.set(connection, [statement])
  })
}

export interface CommitSignalOptions {
  /** The driver's connections write a statement without waiting for the one before (pg's pipeline). */
  pipelined?: boolean
}

/**
 * The dialect with its driver watched: `onCommit` runs after each commit of a transaction that
 * asked for it (`signalOnCommit`, `writeAtCommit`). Listeners must not throw and should be cheap:
 * they run on the committing caller's path.
 */
export function withCommitSignal(
  dialect: Dialect,
  onCommit: () => void,
  options: CommitSignalOptions = {},
): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => watched(dialect.createDriver(), onCommit, options.pipelined === true),
  }
}

function watched(driver: Driver, onCommit: () => void, pipelined: boolean): Driver {
  const commit = async (connection: DatabaseConnection) => {
    const queued = atCommit.get(connection)
    if (!queued) return driver.commitTransaction(connection)
    atCommit.delete(connection)
    if (!pipelined) {
      for (const statement of queued) await connection.executeQuery(statement)
      return driver.commitTransaction(connection)
    }
    // Each call writes its statement before its first await: all of them and the commit leave
    // in one go, and the answers come back in that order.
    const outcomes = await Promise.allSettled([
      ...queued.map((statement) => connection.executeQuery(statement)),
      driver.commitTransaction(connection),
    ])
    const failed = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason
  }
  return new Proxy(driver, {
    get(target, property) {
      if (property === 'commitTransaction') {
        return async (connection: DatabaseConnection) => {
          await commit(connection)
          if (marked.delete(connection)) onCommit()
        }
      }
      if (property === 'rollbackTransaction') {
        return async (connection: DatabaseConnection) => {
          marked.delete(connection)
          atCommit.delete(connection)
          await target.rollbackTransaction(connection)
        }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
