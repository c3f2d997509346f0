import { sql, type Kysely } from 'kysely'

/**
 * Product variants (issue 17): an order line is one variant of a product, and orders' copy of
 * the catalog's prices is kept per variant.
 * - `order_lines.variant_id` and `variant_label`: null in lines placed before variants, which
 *   were of the product's first variant (whose id is the product's) and had no label.
 * - `catalog_prices` is keyed by `variant_id`; the rows there were are of products' first
 *   variants, whose id is the product's, so they keep their key; `product_id` finds a product's
 *   rows when it is deleted, `label` is the variant's option values for display.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('order_lines').addColumn('variant_id', 'varchar(64)').execute()
  await db.schema.alterTable('order_lines').addColumn('variant_label', 'varchar(200)').execute()
  await sql`alter table catalog_prices rename column product_id to variant_id`.execute(db)
  await sql`alter table catalog_prices add column product_id text`.execute(db)
  await sql`update catalog_prices set product_id = variant_id`.execute(db)
  await sql`alter table catalog_prices alter column product_id set not null`.execute(db)
  await sql`alter table catalog_prices add column label text`.execute(db)
  await sql`create index catalog_prices_product_idx on catalog_prices (product_id)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index catalog_prices_product_idx`.execute(db)
  await db.schema.alterTable('catalog_prices').dropColumn('label').execute()
  await db.schema.alterTable('catalog_prices').dropColumn('product_id').execute()
  await sql`alter table catalog_prices rename column variant_id to product_id`.execute(db)
  await db.schema.alterTable('order_lines').dropColumn('variant_label').execute()
  await db.schema.alterTable('order_lines').dropColumn('variant_id').execute()
}
