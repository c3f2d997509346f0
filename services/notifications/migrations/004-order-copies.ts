import type { Kysely } from 'kysely'

/**
 * A small copy of each confirmed order (from `order.confirmed`, issue 18): whom to write to (a
 * guest's address, else the account's, kept in `recipients`), the guest's signed link token and
 * the lines' names, so that a `shipment.created` (which names only variant ids) is mailed to the
 * right address with the items named. `shipments_mailed` counts the shipment e-mails queued: an
 * `order.shipped` that follows them sends no e-mail of its own.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('order_copies')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('email', 'varchar(320)')
    .addColumn('order_link', 'varchar(200)')
    // JSON: [{ productId, variantId, name, variantLabel? }]
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('shipments_mailed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('confirmed_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
}
