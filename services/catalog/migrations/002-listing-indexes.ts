import { sql, type Kysely } from 'kysely'

/**
 * Faster product lists and searches (001's indexes stay):
 * - A category's products by price: before, such a page read the whole category and sorted it
 *   (about 8,000 rows a page at 100,000 products). Like the others, the index covers live
 *   products only and ends in the id tie-breaker of the keyset; read backwards it serves
 *   `price_desc` too.
 * - The GIN indexes without a pending list (`fastupdate = off`): with it, rows inserted since the
 *   last vacuum (the whole seeded catalog, until autovacuum came by) sat in an unsorted list
 *   that every search scanned in full. Catalog writes are rare and small, searches are not, so
 *   each write now updates the index itself. The trigram index was made at start when pg_trgm
 *   was available, already so (003 makes it now); this alters one made before.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index products_category_price_idx on products (category_id, price_amount, id) where deleted_at is null`.execute(
    db,
  )
  for (const index of ['products_search_idx', 'products_name_trgm_idx']) {
    const { rows } = await sql<{ present: boolean }>`
      select to_regclass(${index}) is not null as present`.execute(db)
    if (!rows[0]?.present) continue
    await sql`alter index ${sql.id(index)} set (fastupdate = off)`.execute(db)
    // What the pending list holds goes into the index proper now.
    await sql`select gin_clean_pending_list(${index}::regclass)`.execute(db)
  }
}
