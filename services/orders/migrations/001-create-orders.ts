import { sql, type Kysely } from 'kysely'

/**
 * Orders with their lines, and the idempotency keys of `POST /orders`. PostgreSQL and PGlite
 * alike. The card itself is never here: only the payments service's token, last4 and brand.
 * `deadline_at` is the saga deadline of the step an order waits for (null when none).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('orders')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('status', 'varchar(32)', (c) => c.notNull())
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('total_amount', 'bigint', (c) => c.notNull().check(sql`total_amount >= 0`))
    .addColumn('shipping_address', 'text', (c) => c.notNull())
    .addColumn('payment_method_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('card_last4', 'char(4)', (c) => c.notNull())
    .addColumn('card_brand', 'varchar(32)', (c) => c.notNull())
    .addColumn('payment_status', 'varchar(16)')
    .addColumn('cancellation_reason', 'varchar(64)')
    .addColumn('deadline_at', 'timestamptz(3)')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  // Keyset pagination, newest first: a customer's own orders, and everyone's (admin).
  await sql`create index orders_user_newest_idx on orders (user_id, created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index orders_newest_idx on orders (created_at desc, id desc)`.execute(db)
  // The deadline sweeper's scan.
  await sql`create index orders_deadline_idx on orders (deadline_at) where status in ('pending', 'awaiting_payment')`.execute(
    db,
  )

  await db.schema
    .createTable('order_lines')
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().references('orders.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('product_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('name', 'varchar(200)', (c) => c.notNull())
    .addColumn('unit_amount', 'bigint', (c) => c.notNull().check(sql`unit_amount >= 0`))
    .addColumn('quantity', 'integer', (c) => c.notNull().check(sql`quantity > 0`))
    .addPrimaryKeyConstraint('order_lines_pk', ['order_id', 'position'])
    .execute()

  // One row per (customer, key): claimed `in_progress` under a lease, then `completed` with the
  // response to replay. `claim_token` tells a claim from the one that took over its lease.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('user_id', 'varchar(128)', (c) => c.notNull())
    .addColumn('key', 'varchar(255)', (c) => c.notNull())
    .addColumn('fingerprint', 'char(64)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('claim_token', 'varchar(64)', (c) => c.notNull())
    .addColumn('lease_until', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['user_id', 'key'])
    .execute()
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_at')
    .execute()
}
