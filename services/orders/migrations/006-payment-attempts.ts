import { sql, type Kysely } from 'kysely'

/**
 * A decline is not the end (issue 18): an order whose payment was declined waits
 * `payment_failed`, its stock still held, until its payment deadline, and the shopper may pay it
 * again with another card.
 * - `payment_attempt`: the attempt payments charges now (1 at placement, one more per retry);
 * - `payment_due_by`: the order's payment deadline, set when its stock is held: retries are
 *   taken until then, and a `payment_failed` order is cancelled at it;
 * - the sweeper's index covers `payment_failed` too.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('orders')
    .addColumn('payment_attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema.alterTable('orders').addColumn('payment_due_by', 'timestamptz(3)').execute()
  await sql`drop index orders_deadline_idx`.execute(db)
  await sql`create index orders_deadline_idx on orders (deadline_at) where status in ('pending', 'awaiting_payment', 'payment_failed')`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index orders_deadline_idx`.execute(db)
  await sql`create index orders_deadline_idx on orders (deadline_at) where status in ('pending', 'awaiting_payment')`.execute(
    db,
  )
  await db.schema.alterTable('orders').dropColumn('payment_due_by').execute()
  await db.schema.alterTable('orders').dropColumn('payment_attempt').execute()
}
