import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryResult,
  Transaction,
} from 'kysely'

// Connections whose open transaction wrote something another party waits for (outbox rows).
const marked = new WeakSet<DatabaseConnection>()
// Writes a connection's open transaction sends with its next statement (deferWrite).
const deferred = new WeakMap<DatabaseConnection, CompiledQuery[]>()
// The first deferred write that failed in a connection's open transaction: its commit fails too.
const failures = new WeakMap<DatabaseConnection, unknown>()

/**
 * Has the transaction `trx` send `statement` — a write whose result nobody reads: an outbox row,
 * an aggregate's new state after its row was locked — with its next statement, or with its
 * commit when none follows. Every later statement of the transaction sees the write, as if it
 * had run on the spot; on a pipelined PostgreSQL connection the deferred writes and that
 * statement are written at once, one round trip for all (elsewhere they run one after the other
 * before it). Should a deferred write fail, the statement it went with fails with the write's
 * error, and so does the transaction: its commit fails with that error even when the caller
 * caught the statement's (PostgreSQL would answer the `commit` of the aborted transaction with a
 * rollback, MariaDB would commit the rest). A rollback drops the writes still held.
 *
 * With `signal` true (the outbox's rows), the commit is signalled to the database's
 * `onOutboxCommit` listeners (the relay publishes at once instead of at its next poll); nothing is
 * signalled when the transaction rolls back.
 */
export async function deferWrite(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any service's transaction (Kysely<DB> is invariant in DB)
  trx: Transaction<any>,
  statement: CompiledQuery,
  options: { signal?: boolean } = {},
): Promise<void> {
  // Outside a transaction the connection goes back to the pool before any next statement.
  if (!trx.isTransaction) throw new Error('deferWrite needs a transaction')
  await trx.getExecutor().provideConnection(async (connection) => {
    if (options.signal === true) marked.add(connection)
    const queued = deferred.get(connection)
    if (queued) queued.push(statement)
    else deferred.set(connection, [statement])
  })
}

export interface CommitSignalOptions {
  /** The driver's connections write a statement without waiting for the one before (pg's pipeline). */
  pipelined?: boolean
}

/**
 * The dialect with its driver watched: `onCommit` runs after each commit of a transaction that
 * asked for it (`deferWrite` with `signal`). Listeners must not throw and should be cheap:
 * they run on the committing caller's path. Its connections send deferred writes (`deferWrite`)
 * with their next statement.
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
  // The driver's own connection behind each connection handed out, and back.
  const raws = new WeakMap<DatabaseConnection, DatabaseConnection>()
  const wrappers = new WeakMap<DatabaseConnection, DatabaseConnection>()

  function wrap(raw: DatabaseConnection): DatabaseConnection {
    let wrapper = wrappers.get(raw)
    if (wrapper) return wrapper
    const connection: DatabaseConnection = {
      executeQuery: (query) => execute(connection, raw, query),
      async *streamQuery(query, chunkSize) {
        await flush(connection, raw)
        yield* raw.streamQuery(query, chunkSize)
      },
    }
    wrapper = connection
    wrappers.set(raw, wrapper)
    raws.set(wrapper, raw)
    return wrapper
  }

  async function flush(connection: DatabaseConnection, raw: DatabaseConnection): Promise<void> {
    const queued = deferred.get(connection)
    if (!queued) return
    deferred.delete(connection)
    await inOrder(connection, raw, queued)
  }

  /** Runs the deferred writes one by one; the first to fail is kept for the commit. */
  async function inOrder(
    connection: DatabaseConnection,
    raw: DatabaseConnection,
    queued: CompiledQuery[],
  ): Promise<void> {
    try {
      for (const statement of queued) await raw.executeQuery(statement)
    } catch (error) {
      if (!failures.has(connection)) failures.set(connection, error)
      throw error
    }
  }

  async function execute<R>(
    connection: DatabaseConnection,
    raw: DatabaseConnection,
    query: CompiledQuery,
  ): Promise<QueryResult<R>> {
    const queued = deferred.get(connection)
    if (!queued) return raw.executeQuery(query)
    deferred.delete(connection)
    if (!pipelined) {
      await inOrder(connection, raw, queued)
      return raw.executeQuery(query)
    }
    // Each call writes its statement before its first await: all of them leave in one go, and
    // the answers come back in that order. The first failure is the one to tell (the statements
    // after it fail only because the transaction is aborted).
    const writes = Promise.allSettled(queued.map((statement) => raw.executeQuery(statement)))
    const [written, answer] = await Promise.allSettled([writes, raw.executeQuery<R>(query)])
    const failed =
      written.status === 'fulfilled' && written.value.find((w) => w.status === 'rejected')
    if (failed) {
      if (!failures.has(connection)) failures.set(connection, failed.reason)
      throw failed.reason
    }
    if (answer.status === 'rejected') throw answer.reason
    return answer.value
  }

  const rawOf = (connection: DatabaseConnection) => raws.get(connection) ?? connection

  return new Proxy(driver, {
    get(target, property) {
      switch (property) {
        case 'acquireConnection':
          return async () => wrap(await target.acquireConnection())
        case 'releaseConnection':
          return (connection: DatabaseConnection) => {
            deferred.delete(connection)
            failures.delete(connection)
            return target.releaseConnection(rawOf(connection))
          }
        case 'commitTransaction':
          // The driver's commit goes through the wrapper: deferred writes go with it.
          return async (connection: DatabaseConnection) => {
            // A deferred write failed and the caller went on: no commit (Kysely rolls back).
            if (failures.has(connection)) throw failures.get(connection)
            await target.commitTransaction(connection)
            if (marked.delete(connection)) onCommit()
          }
        case 'rollbackTransaction':
          return async (connection: DatabaseConnection) => {
            marked.delete(connection)
            deferred.delete(connection)
            failures.delete(connection)
            await target.rollbackTransaction(connection)
          }
      }
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}
