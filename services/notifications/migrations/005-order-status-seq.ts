import type { Kysely } from 'kysely'

/**
 * The order's latest change in its status row: `seq` (the change the row shows) and
 * `previous_seq` (the one before it), so that an event's change is recorded in one statement
 * (infra/sql-projection.ts): the upsert that takes the row reads the latest committed `seq` from
 * the row it locked, where a subquery of the same statement would read its snapshot and could
 * miss a change another replica committed meanwhile. Rows from before stay null: the statement
 * then falls back to the change log (no backfill, no rewrite of the table).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('order_status')
    .addColumn('seq', 'bigint')
    .addColumn('previous_seq', 'bigint')
    .execute()
}
