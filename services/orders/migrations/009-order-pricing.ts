import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'

/**
 * Checkout as shops need it (issue 18): an order's totals breakdown, shipping method, promotion,
 * a guest's e-mail address, and its shipments.
 * - `orders`: `subtotal_amount`, `discount_amount`, `shipping_amount`, `tax_amount`,
 *   `tax_inclusive` (null in orders placed before: their total is their subtotal),
 *   `shipping_method` (JSON `{id, name, carrier}`), `promotion_code`, `email` (a guest's);
 * - `order_lines`: each line's share of the discount, its tax and the rate applied;
 * - `order_shipments`: the shipping service's shipments of the order, from its events;
 * - `order_link_keys`: the key that signs guests' order links, made once by the first instance
 *   to start (every replica and restart then verifies the links mailed before).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('orders')
    .addColumn('subtotal_amount', 'bigint')
    .addColumn('discount_amount', 'bigint')
    .addColumn('shipping_amount', 'bigint')
    .addColumn('tax_amount', 'bigint')
    .addColumn('tax_inclusive', 'boolean')
    .addColumn('shipping_method', 'text')
    .addColumn('promotion_code', 'text')
    .addColumn('email', 'text')
    .execute()
  await db.schema
    .alterTable('order_lines')
    .addColumn('discount_amount', 'bigint')
    .addColumn('tax_amount', 'bigint')
    .addColumn('tax_rate_bp', 'integer')
    .execute()
  await db.schema
    .createTable('order_shipments')
    .addColumn('shipment_id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('carrier', 'text', (c) => c.notNull())
    .addColumn('tracking_number', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('order_link_keys')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  // Made here, before any consumer runs: a confirmation's transaction only reads it.
  await db
    .insertInto('order_link_keys')
    .values({ id: 1, key: randomBytes(32).toString('base64url'), created_at: new Date() })
    .execute()
  await db.schema
    .createIndex('order_shipments_order_idx')
    .on('order_shipments')
    .column('order_id')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_link_keys').execute()
  await db.schema.dropTable('order_shipments').execute()
  await db.schema
    .alterTable('order_lines')
    .dropColumn('discount_amount')
    .dropColumn('tax_amount')
    .dropColumn('tax_rate_bp')
    .execute()
  await db.schema
    .alterTable('orders')
    .dropColumn('subtotal_amount')
    .dropColumn('discount_amount')
    .dropColumn('shipping_amount')
    .dropColumn('tax_amount')
    .dropColumn('tax_inclusive')
    .dropColumn('shipping_method')
    .dropColumn('promotion_code')
    .dropColumn('email')
    .execute()
}
