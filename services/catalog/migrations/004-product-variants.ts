import { sql, type Kysely } from 'kysely'

/**
 * Product options and variants (issue 17). PostgreSQL and PGlite alike.
 * - `variants`: what is bought, stocked and reserved: a SKU (unique), a choice of the product's
 *   option values (jsonb; unique per product), a price in the product's currency, an image.
 *   Every product gets one variant whose id is the product's own, carrying its SKU and price:
 *   carts, orders, reservations and events that name a product alone keep naming that variant.
 * - `products.options`: the options and their values in order (jsonb: read and written whole
 *   with the product). `price_amount` is now the cheapest variant's price and
 *   `max_price_amount` the dearest's, and `variant_count` how many there are, all kept in the
 *   transaction that changes a variant, so that lists read no variant at all.
 * - `stock` is per variant: keyed by `variant_id` (the product's id for the rows there were),
 *   keeping `product_id` (indexed) so a list sums a product's stock in one index read. The
 *   reservation's lock is the variant's stock row, as it was the product's.
 * - `reservation_lines` name the variant (`variant_id`; the product's id for older lines).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table products add column options jsonb not null default '[]'::jsonb`.execute(db)
  await sql`alter table products add column max_price_amount bigint`.execute(db)
  await sql`update products set max_price_amount = price_amount`.execute(db)
  await sql`alter table products alter column max_price_amount set not null`.execute(db)
  await sql`alter table products add constraint products_price_range_ck
    check (max_price_amount >= price_amount)`.execute(db)
  await sql`alter table products add column variant_count integer not null default 1
    check (variant_count >= 1)`.execute(db)

  await db.schema
    .createTable('variants')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull().references('products.id'))
    .addColumn('sku', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('options', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('price_amount', 'bigint', (c) => c.notNull().check(sql`price_amount >= 0`))
    .addColumn('image_url', 'varchar(2048)')
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await sql`create index variants_product_idx on variants (product_id, position)`.execute(db)
  // No two variants of a product choose the same values (jsonb equality ignores key order).
  await sql`create unique index variants_options_uq on variants (product_id, options)`.execute(db)
  // Deleted products too: past reservations and orders name their variant.
  await sql`
    insert into variants (id, product_id, sku, options, price_amount, image_url, position,
                          created_at, updated_at)
    select id, id, sku, '{}'::jsonb, price_amount, null, 0, created_at, updated_at
    from products`.execute(db)

  await sql`alter table stock add column variant_id varchar(64)`.execute(db)
  await sql`update stock set variant_id = product_id`.execute(db)
  await sql`alter table stock alter column variant_id set not null`.execute(db)
  await sql`alter table stock drop constraint ${sql.id(await primaryKeyOf(db, 'stock'))}`.execute(
    db,
  )
  await sql`alter table stock add constraint stock_pkey primary key (variant_id)`.execute(db)
  await sql`alter table stock add constraint stock_variant_fk
    foreign key (variant_id) references variants (id)`.execute(db)
  await sql`create index stock_product_idx on stock (product_id)`.execute(db)
  // A product created without a stock row (none should be) gets one, empty.
  await sql`
    insert into stock (variant_id, product_id, on_hand, reserved)
    select v.id, v.product_id, 0, 0 from variants v
    where not exists (select 1 from stock s where s.variant_id = v.id)`.execute(db)

  await sql`alter table reservation_lines add column variant_id varchar(64)`.execute(db)
  await sql`update reservation_lines set variant_id = product_id`.execute(db)
  await sql`alter table reservation_lines alter column variant_id set not null`.execute(db)
  await sql`alter table reservation_lines drop constraint reservation_lines_pk`.execute(db)
  await sql`alter table reservation_lines add constraint reservation_lines_pk
    primary key (order_id, variant_id)`.execute(db)

  // A price floor's products whose cheapest variant is below it but another is not: the few
  // products with variants at several prices (see listing-sql.ts).
  await sql`create index products_varied_price_idx on products (price_amount, id)
    where deleted_at is null and max_price_amount > price_amount`.execute(db)
}

/** The name of a table's primary key constraint (PostgreSQL names it; the table is in the path). */
async function primaryKeyOf(db: Kysely<any>, table: string): Promise<string> {
  const { rows } = await sql<{ conname: string }>`
    select conname from pg_constraint
    where conrelid = ${table}::regclass and contype = 'p'`.execute(db)
  if (!rows[0]) throw new Error(`${table} has no primary key`)
  return rows[0].conname
}
