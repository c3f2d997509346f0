import { sql, type Kysely } from 'kysely'

/**
 * The price copy per variant (issue 17): a line is one variant of a product, each with its own
 * price. The key becomes `variant_id`; the rows there were are of products' first variants, whose
 * id is the product's, so they keep their key. `product_id` finds a product's rows when it is
 * deleted; `label` is the variant's option values for display.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table product_prices rename column product_id to variant_id`.execute(db)
  await sql`alter table product_prices add column product_id varchar(64)`.execute(db)
  await sql`update product_prices set product_id = variant_id`.execute(db)
  await sql`alter table product_prices alter column product_id set not null`.execute(db)
  await sql`alter table product_prices add column label text`.execute(db)
  await sql`create index product_prices_product_idx on product_prices (product_id)`.execute(db)
}
