import { sql, type RawBuilder } from 'kysely'
import type { ReportingTables } from './tables.js'

/*
 * Rows written by `insert … select … from jsonb_to_recordset($1)`: a run's rows travel as one JSON
 * parameter, so a statement has one text (one named statement, planned once per connection)
 * whatever the number of events and lines in it, where a multi-row VALUES list would have a
 * text per length (named-statements.ts in the platform names a process's first 2,000 texts).
 * PostgreSQL and PGlite alike; a JSON null is SQL NULL, a Date its ISO time.
 */

/** Column name → SQL type of the JSON rows' fields. */
export type Columns = Record<string, string>

/** Column names, quoted. */
export const columnList = (columns: readonly string[]) =>
  sql.join(columns.map((column) => sql.id(column)))

/** `rows` as the relation `r` of `columns` (name → SQL type), from one JSON parameter. */
export function recordset(rows: readonly object[], columns: Columns): RawBuilder<unknown> {
  const list = Object.entries(columns).map(([name, type]) => sql`${sql.id(name)} ${sql.raw(type)}`)
  return sql`jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as r(${sql.join(list)})`
}

/** `insert into table (columns) select columns from rows`, the conflict clause after it. */
export function insertRows(
  table: keyof ReportingTables,
  rows: readonly object[],
  columns: Columns,
  rest: RawBuilder<unknown>,
): RawBuilder<unknown> {
  const list = columnList(Object.keys(columns))
  return sql`insert into ${sql.table(table)} (${list})
    select ${list} from ${recordset(rows, columns)} ${rest}`
}

/** The first row of each key, in order (a statement writes a key once; the first told is kept). */
export function firstOf<T>(rows: readonly T[], keyOf: (row: T) => string): T[] {
  const seen = new Map<string, T>()
  for (const row of rows) if (!seen.has(keyOf(row))) seen.set(keyOf(row), row)
  return [...seen.values()]
}
