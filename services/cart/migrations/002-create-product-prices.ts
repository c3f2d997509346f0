import type { Kysely } from 'kysely'

/**
 * The local copy of the catalog's prices, from `product.updated` / `product.deleted`, written in
 * the consumer's inbox transaction. `as_of` is the event's occurredAt: only newer events apply.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('product_prices')
    .addColumn('product_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint')
    .addColumn('currency', 'varchar(3)')
    .addColumn('deleted', 'boolean', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz(3)', (c) => c.notNull())
    .execute()
}
