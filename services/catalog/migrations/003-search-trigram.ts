import { sql, type Kysely, type RawBuilder } from 'kysely'

/**
 * Typo-tolerant search: pg_trgm and the trigram index of product names, without a pending list
 * (see 002). Until this migration the service made them at every start; on a database it
 * already did so, both statements do nothing. Either may fail: creating the extension needs the
 * right to (a trusted extension since PG 13, so a database owner can; else an administrator
 * creates it beforehand), and a PGlite created without pg_trgm (`openDatabase` loads it since
 * issue 17) has none. The search is then full-text only, as the service finds at start
 * (`detectSearchFeatures`). pg_trgm installed only
 * after this ran needs the index made by hand, with the statement below.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await attempt(db, sql`create extension if not exists pg_trgm`)
  const { rows } = await sql<{ present: boolean }>`
    select exists (select 1 from pg_extension where extname = 'pg_trgm') as present`.execute(db)
  if (!rows[0]?.present) return
  await attempt(
    db,
    sql`create index if not exists products_name_trgm_idx on products using gin (lower(name) gin_trgm_ops) with (fastupdate = off)`,
  )
}

/**
 * Runs a statement that may fail without failing the migration: Kysely runs PostgreSQL's
 * migrations in a transaction, which a failed statement would abort, so it runs in a savepoint.
 */
async function attempt(db: Kysely<any>, statement: RawBuilder<unknown>): Promise<void> {
  await sql`savepoint catalog_search_trigram`.execute(db)
  try {
    await statement.execute(db)
    await sql`release savepoint catalog_search_trigram`.execute(db)
  } catch {
    await sql`rollback to savepoint catalog_search_trigram`.execute(db)
  }
}
