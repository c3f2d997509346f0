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
 * With `named` false it names nothing, and strips the name of a query config that has one.
 */
export function namingClient(driver: typeof pg, named = true): typeof pg.Client {
  const { Client, Query } = driver

  class NamingClient extends Client {
    #unnamed = !named
    #inTransaction = false

    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- node-postgres' overloads, passed on as they came
    override query(config: any, values?: any, callback?: any): any {
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
      if (text.length > 100) return
      const command = text.trimStart().toLowerCase()
      if (command.startsWith('begin') || command.startsWith('start transaction')) {
        this.#inTransaction = true
      } else if (
        command.startsWith('commit') ||
        command.startsWith('end') ||
        (command.startsWith('rollback') && !command.startsWith('rollback to'))
      ) {
        this.#inTransaction = false
      }
    }
  }
  return NamingClient
}
