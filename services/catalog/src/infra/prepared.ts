import { createHash } from 'node:crypto'
import { CompiledQuery, sql, type Kysely } from 'kysely'
import type { Database } from '@emporium/platform'

/** What a statement runner runs. */
export interface Statement {
  text: string
  parameters: readonly unknown[]
  /** Prepare it once per connection, to skip parsing and planning at each run. */
  prepare: boolean
}

/**
 * Runs a statement and returns its rows (of type `R`, which the caller knows from the statement);
 * `executor` may be a transaction of the database.
 */
export type RunStatement = <R>(
  statement: Statement,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the database or any of its transactions
  executor?: Kysely<any>,
) => Promise<R[]>

const names = new Map<string, string>()

/** A name per statement text: the same text always gets the same name, never another text. */
export function statementName(text: string): string {
  let name = names.get(text)
  if (name === undefined) {
    name = `catalog_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`
    // The texts come from a few query shapes with a few page sizes: this stays small.
    if (names.size < 10_000) names.set(text, name)
  }
  return name
}

/**
 * A statement runner for `database`. A statement marked `prepare` is parsed and planned once per
 * connection and then reused (PostgreSQL's plan cache moves to a generic plan after five runs
 * when it costs no more), which is most of the time of a short indexed read:
 * - PostgreSQL: a named prepared statement of the extended protocol. node-postgres prepares a
 *   query config that has a `name`, and Kysely hands the compiled query's `sql` to the driver
 *   untouched, so the config object goes where the text would. With
 *   `DATABASE_NAMED_STATEMENTS=false` the platform's client drops the name (named-statements.ts).
 * - PGlite: its one session keeps SQL-level `PREPARE`d statements, run by `EXECUTE` with the
 *   values as quoted literals (PGlite's API has no named statements). Only where
 *   `standard_conforming_strings` is on, so that doubling quotes is the whole of quoting.
 *
 * One not marked is planned for its values at every run. On PostgreSQL it goes as a config
 * without a name: the platform's client names every statement Kysely hands it as text
 * (named-statements.ts), and a generic plan of these could be far worse than their custom ones.
 */
export function createStatementRunner(database: Database): RunStatement {
  const db = database.db
  let literals: Promise<boolean> | undefined
  const prepared = new Map<string, Promise<unknown>>()

  async function executeOnPglite<R>(statement: Statement): Promise<R[] | undefined> {
    literals ??= sql<{ standard_conforming_strings: string }>`show standard_conforming_strings`
      .execute(db)
      .then(({ rows }) => rows[0]?.standard_conforming_strings === 'on')
    const values = statement.parameters.map(literal)
    if (!(await literals) || values.includes(undefined)) return undefined
    const name = statementName(statement.text)
    const call = values.length > 0 ? `execute ${name}(${values.join(', ')})` : `execute ${name}`
    for (let attempt = 1; ; attempt++) {
      let ready = prepared.get(name)
      if (!ready) {
        ready = db
          .executeQuery(CompiledQuery.raw(`prepare ${name} as ${statement.text}`))
          // Prepared already in this session (by another store on the same database).
          .catch((error: unknown) => {
            if (codeOf(error) !== '42P05') throw error
          })
        prepared.set(name, ready)
        ready.catch(() => prepared.delete(name))
      }
      await ready
      try {
        return (await db.executeQuery<R>(CompiledQuery.raw(call))).rows
      } catch (error) {
        // Deallocated behind our back: prepare it again, once.
        if (codeOf(error) !== '26000' || attempt > 1) throw error
        prepared.delete(name)
      }
    }
  }

  return async <R>(
    statement: Statement,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as in RunStatement
    executor: Kysely<any> = db,
  ): Promise<R[]> => {
    const compiled = CompiledQuery.raw(statement.text, [...statement.parameters])
    if (statement.prepare && database.kind === 'postgres') {
      const config = { name: statementName(statement.text), text: statement.text }
      return (await executor.executeQuery<R>({ ...compiled, sql: config as unknown as string }))
        .rows
    }
    if (statement.prepare && database.kind === 'pglite' && executor === db) {
      const rows = await executeOnPglite<R>(statement)
      if (rows) return rows
    }
    if (database.kind === 'postgres') {
      // Planned for its values at every run: a config without a name, which the platform's
      // client passes on unnamed (it names the statements Kysely hands it as text, and a generic
      // plan of this one could be far worse than its custom plans, see `oneGoodPlan`).
      const config = { text: statement.text }
      return (await executor.executeQuery<R>({ ...compiled, sql: config as unknown as string }))
        .rows
    }
    return (await executor.executeQuery<R>(compiled)).rows
  }
}

/**
 * A value as a PostgreSQL string literal (the statement's casts give it its type), or undefined
 * when it cannot be one: NUL, which no text holds, or a type the listing never passes.
 */
function literal(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? `'${value}'` : undefined
  if (typeof value !== 'string' || value.includes('\0')) return undefined
  return `'${value.replaceAll("'", "''")}'`
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code
}
