import { sql, type Kysely } from 'kysely'

/**
 * Categories, products (soft-deleted, with a full-text search vector kept by PostgreSQL itself
 * as a generated column: name weighs A, description B), their stock, and reservations with
 * their lines. PostgreSQL and PGlite alike. `stock` checks `0 <= reserved <= on_hand`, a last
 * line of defence behind the conditional updates that reserve.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('categories')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(100)', (c) => c.notNull())
    .addColumn('slug', 'varchar(100)', (c) => c.notNull().unique())
    .execute()

  await db.schema
    .createTable('products')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('sku', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('price_amount', 'bigint', (c) => c.notNull().check(sql`price_amount >= 0`))
    .addColumn('price_currency', 'char(3)', (c) => c.notNull())
    .addColumn('category_id', 'varchar(64)', (c) => c.notNull().references('categories.id'))
    .addColumn('image_url', 'varchar(2048)')
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz(3)')
    .addColumn('search', sql`tsvector`, (c) =>
      c
        .generatedAlwaysAs(
          sql`setweight(to_tsvector('english', coalesce(name, '')), 'A') || setweight(to_tsvector('english', coalesce(description, '')), 'B')`,
        )
        .stored(),
    )
    .execute()
  await sql`create index products_search_idx on products using gin (search)`.execute(db)
  // Keyset pagination: each sort order has an index ending in the id tie-breaker.
  await sql`create index products_newest_idx on products (created_at desc, id desc) where deleted_at is null`.execute(
    db,
  )
  await sql`create index products_price_idx on products (price_amount, id) where deleted_at is null`.execute(
    db,
  )
  await sql`create index products_category_idx on products (category_id, created_at desc, id desc) where deleted_at is null`.execute(
    db,
  )

  await db.schema
    .createTable('stock')
    .addColumn('product_id', 'varchar(64)', (c) => c.primaryKey().references('products.id'))
    .addColumn('on_hand', 'integer', (c) => c.notNull())
    .addColumn('reserved', 'integer', (c) => c.notNull().defaultTo(0))
    .addCheckConstraint('stock_levels_ck', sql`reserved >= 0 and on_hand >= reserved`)
    .execute()

  await db.schema
    .createTable('reservations')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('status', 'varchar(16)', (c) => c.notNull())
    .addColumn('short_lines', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz(3)')
    .execute()
  await sql`create index reservations_held_idx on reservations (expires_at) where status = 'held'`.execute(
    db,
  )

  await db.schema
    .createTable('reservation_lines')
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().references('reservations.order_id'))
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addPrimaryKeyConstraint('reservation_lines_pk', ['order_id', 'product_id'])
    .execute()
}
