import type pg from 'pg'

/**
 * How many distinct statement texts a process names. The texts come from the services' query
 * shapes (an IN list or a multi-row insert gives one text per length): a few hundred in a busy
 * service. Past the limit a new text goes unnamed, as every statement did before.
 */
export const namedStatementLimit = 2_000

const names = new Map<string, string>()

/** The name of a statement text: the same text always gets the same name, never another text. */
export function statementNameOf(text: string): string | undefined {
  let name = names.get(text)
  if (name === undefined && names.size < namedStatementLimit) {
    name = `emporium_${names.size + 1}`
    names.set(text, name)
  }
  return name
}

/**
 * PostgreSQL's answer to a named statement whose result's columns changed since it was prepared
 * (a migration added a column to a table it reads with `select *`, under a running replica).
 */
export function isStalePlan(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return (
    code === '0A000' &&
    typeof message === 'string' &&
    message.includes('cached plan must not change result type')
  )
}

function isNamedConfig(config: unknown): boolean {
  return (
    typeof config === 'object' &&
    config !== null &&
    typeof (config as { name?: unknown }).name === 'string' &&
    typeof (config as { submit?: unknown }).submit !== 'function'
  )
}

/** How the platform's client sends statements (see `namingClient`). */
export interface ClientOptions {
  /** Send statements with parameters as named statements (default true). */
  named?: boolean
  /**
   * Defer `begin` to the transaction's first statement and write both at once on a pipelined
   * connection (default true): a transaction then costs one round trip less.
   */
  deferBegin?: boolean
}

/**
 * node-postgres' client, sending every statement that has parameters as a named statement of the
 * extended protocol: parsed and planned once per connection, then only bound and executed
 * (PostgreSQL's plan cache keeps custom plans for the first five runs, and a generic plan from
 * then on when it costs no more than theirs). Planning was about half of PostgreSQL's time for
 * a checkout's short indexed statements (docs/performance.md).
 *
 * Kysely hands a compiled query to the client as `query(text, values)`; anything else (a query
 * config, a cursor, a statement without parameters such as `begin`) passes through untouched.
 *
 * A statement prepared before a migration changed its result's columns fails with "cached plan
 * must not change result type" on this connection: the connection then stops naming statements
 * (its prepared ones would fail the same way), and the statement is sent again unnamed at once
 * when no transaction is open on it; inside one, the error reaches the transaction's caller (the
 * transaction is aborted), whose retry runs on the unnamed path.
 *
 * With `deferBegin` (node-postgres' `pipeline` mode, which writes a query without waiting for the
 * answer to the one before), `begin` (or `start transaction …`) is answered at once and kept; the
 * transaction's first statement writes it and itself in one write, and waits for both answers: a
 * transaction costs one round trip less (a sixth of a checkout's round trips were `begin`s). A
 * transaction that ends before any statement sends neither its `begin` nor its `commit`/`rollback`.
 * Should `begin` fail (the connection broke), the first statement's caller gets its error, so no
 * statement meant for the transaction runs outside one unseen.
 *
 * With `named` false it names nothing, and strips the name of a query config that has one.
 */
export function namingClient(driver: typeof pg, options: ClientOptions = {}): typeof pg.Client {
  const { Client, Query } = driver
  const named = options.named !== false
  const deferBegin = options.deferBegin !== false

  class NamingClient extends Client {
    #unnamed = !named
    #inTransaction = false
    /** The `begin` kept for the transaction's first statement (deferBegin). */
    #pendingBegin: string | undefined
    /** The socket is corked until the end of this tick (deferBegin). */
    #corked = false

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres' config, passed on
    constructor(config?: any) {
      super(
        deferBegin
          ? {
              ...(typeof config === 'string' ? { connectionString: config } : config),
              pipeline: true,
            }
          : config,
      )
    }

    /**
     * Forgets a `begin` no statement followed (the pool calls it when the connection comes back):
     * the next user of the connection must not find itself in a transaction it did not open.
     */
    discardPendingBegin(): void {
      if (this.#pendingBegin !== undefined) {
        this.#pendingBegin = undefined
        this.#inTransaction = false
      }
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres' overloads, passed on as they came
    override query(config: any, values?: any, callback?: any): any {
      if (
        deferBegin &&
        typeof config === 'string' &&
        callback === undefined &&
        (!Array.isArray(values) || values.length === 0)
      ) {
        const command = commandOf(config)
        if (command === 'begin' && this.#pendingBegin === undefined && !this.#inTransaction) {
          this.#track(config)
          this.#pendingBegin = config
          return Promise.resolve(emptyResult('BEGIN'))
        }
        if ((command === 'commit' || command === 'rollback') && this.#pendingBegin !== undefined) {
          this.#track(config)
          this.#pendingBegin = undefined
          return Promise.resolve(emptyResult(command === 'commit' ? 'COMMIT' : 'ROLLBACK'))
        }
      }
      if (deferBegin) this.#corkForThisTick()
      const begin = this.#pendingBegin
      if (begin === undefined) return this.#send(config, values, callback)
      this.#pendingBegin = undefined
      const opened = super.query(begin) as Promise<unknown>
      const result: unknown = this.#send(config, values, callback)
      if (!(result instanceof Promise)) {
        // A callback or a submittable: its own answer tells a broken connection.
        opened.catch(() => {})
        return result
      }
      return Promise.all([opened, result]).then(([, answer]) => answer)
    }

    /**
     * Holds the socket's writes until the end of this tick: the statements sent in one go (a
     * `begin` and its first statement, outbox rows and their `commit`) leave in one write, one
     * system call instead of one each (a loopback write costs tens of µs on a VM).
     */
    #corkForThisTick() {
      if (this.#corked) return
      const stream = (this as unknown as { connection?: { stream?: CorkableStream } }).connection
        ?.stream
      if (!stream?.cork || !stream.uncork) return
      stream.cork()
      this.#corked = true
      process.nextTick(() => {
        this.#corked = false
        stream.uncork!()
      })
    }

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as query's
    #send(config: any, values?: any, callback?: any): any {
      if (typeof config !== 'string') {
        // Turned off, a caller's own named config (the catalog's prepared listings) goes unnamed
        // too: off is for a pooler that cannot keep any prepared statement.
        if (!named && isNamedConfig(config)) {
          const unnamed = { ...config }
          delete unnamed.name
          return super.query(unnamed, values, callback)
        }
        return super.query(config, values, callback)
      }
      if (!Array.isArray(values) || values.length === 0) {
        this.#track(config)
        return super.query(config, values, callback)
      }
      if (this.#unnamed || callback !== undefined) return super.query(config, values, callback)
      const name = statementNameOf(config)
      if (name === undefined) return super.query(config, values)
      const inTransaction = this.#inTransaction
      return this.#named(name, config, values).catch((error: unknown) => {
        if (!isStalePlan(error)) throw error
        this.#unnamed = true
        if (inTransaction) throw error
        return super.query(config, values) as Promise<pg.QueryResult>
      })
    }

    /**
     * The query built here from its text, then named: a query config object would be copied
     * property by property by node-postgres (`cloneQueryConfig`, 1–2 % of a service's CPU).
     */
    #named(name: string, text: string, values: unknown[]): Promise<pg.QueryResult> {
      return new Promise((resolve, reject) => {
        const query = new Query(text, values, (error, result) => {
          if (error) reject(error)
          else resolve(result as unknown as pg.QueryResult)
        })
        ;(query as { name?: string }).name = name
        super.query(query)
      })
    }

    /** Whether a transaction is open, from the statements (without parameters) that open and end one. */
    #track(text: string) {
      const command = commandOf(text)
      if (command === 'begin') this.#inTransaction = true
      else if (command === 'commit' || command === 'rollback') this.#inTransaction = false
    }
  }
  return NamingClient
}

/** `begin`, `commit` or `rollback` for the statements that open or end a transaction. */
function commandOf(text: string): 'begin' | 'commit' | 'rollback' | undefined {
  if (text.length > 100) return undefined
  const command = text.trimStart().toLowerCase()
  if (command.startsWith('begin') || command.startsWith('start transaction')) return 'begin'
  if (command.startsWith('commit') || command.startsWith('end')) return 'commit'
  if (command.startsWith('rollback') && !command.startsWith('rollback to')) return 'rollback'
  return undefined
}

interface CorkableStream {
  cork?: () => void
  uncork?: () => void
}

function emptyResult(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] }
}
