import type { Kysely } from 'kysely'

/**
 * Orders' own copy of the catalog's names and prices, kept from the catalog's product events, so
 * that placing an order asks no other service for prices. `changed_at` is the event's time: an
 * older event arriving late changes nothing. A product learnt from the catalog's API (one orders
 * had not heard of yet) is stored with the epoch, so that any event about it wins.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('catalog_prices')
    .addColumn('product_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('unit_amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('deleted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull())
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('catalog_prices').execute()
}
