import { sql, type Kysely } from 'kysely'

/**
 * The shipping service's tables (PostgreSQL and PGlite alike):
 * - shipping_zones: where methods deliver (countries and regions as jsonb, read whole);
 * - shipping_methods: a zone's methods, their rates (jsonb) in one currency;
 * - shipping_orders, shipping_order_lines: the copy of each order heard confirmed (its lines and
 *   how much of each is shipped), cancelled or shipped whole, from the orders service's events;
 * - shipments, shipment_lines: parcels handed to carriers.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('shipping_zones')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('countries', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('shipping_methods')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    // No cascade: a zone with methods is not deleted (SHIPPING.ZONE_IN_USE).
    .addColumn('zone_id', 'varchar(64)', (c) => c.notNull().references('shipping_zones.id'))
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('carrier', 'varchar(100)', (c) => c.notNull())
    .addColumn('basis', 'varchar(10)', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('rates', 'jsonb', (c) => c.notNull())
    .addColumn('free_above', 'bigint')
    .addColumn('days_min', 'integer')
    .addColumn('days_max', 'integer')
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addCheckConstraint('shipping_methods_basis_ck', sql`basis in ('flat', 'weight', 'subtotal')`)
    .execute()
  await sql`create index shipping_methods_zone_idx on shipping_methods (zone_id)`.execute(db)

  await db.schema
    .createTable('shipping_orders')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('confirmed', 'boolean', (c) => c.notNull())
    .addColumn('cancelled', 'boolean', (c) => c.notNull())
    // order.shipped heard: every line shipped, now or when the confirmation arrives later.
    .addColumn('shipped_whole', 'boolean', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('shipping_order_lines')
    .addColumn('order_id', 'varchar(64)', (c) =>
      c.notNull().references('shipping_orders.order_id').onDelete('cascade'),
    )
    .addColumn('variant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addColumn('shipped', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('shipping_order_lines_pk', ['order_id', 'variant_id'])
    .addCheckConstraint(
      'shipping_order_lines_shipped_ck',
      sql`shipped >= 0 and shipped <= quantity`,
    )
    .execute()

  await db.schema
    .createTable('shipments')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('carrier', 'varchar(100)', (c) => c.notNull())
    .addColumn('tracking_number', 'varchar(100)', (c) => c.notNull())
    .addColumn('status', 'varchar(20)', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz(3)')
    .addCheckConstraint('shipments_status_ck', sql`status in ('shipped', 'delivered')`)
    .execute()
  await sql`create index shipments_order_idx on shipments (order_id, created_at, id)`.execute(db)

  await db.schema
    .createTable('shipment_lines')
    .addColumn('shipment_id', 'varchar(64)', (c) =>
      c.notNull().references('shipments.id').onDelete('cascade'),
    )
    .addColumn('variant_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addPrimaryKeyConstraint('shipment_lines_pk', ['shipment_id', 'variant_id'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'shipment_lines',
    'shipments',
    'shipping_order_lines',
    'shipping_orders',
    'shipping_methods',
    'shipping_zones',
  ]) {
    await db.schema.dropTable(table).ifExists().execute()
  }
}
