import { sql, type Kysely } from 'kysely'

/**
 * Payment attempts (issue 18): an order whose payment was declined may be paid again with
 * another card, each retry a new attempt with a payment of its own. One payment per (order,
 * attempt) instead of one per order; the provider's idempotency keys name the attempt after
 * the first (domain/payment.ts), so a new attempt is a new charge and a redelivered request of
 * one attempt is not. That an order is captured at most once is the processor's guard.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('payments')
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await sql`alter table payments drop constraint payments_order_id_key`.execute(db)
  await sql`create unique index payments_order_attempt_uq on payments (order_id, attempt)`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index payments_order_attempt_uq`.execute(db)
  await sql`alter table payments add constraint payments_order_id_key unique (order_id)`.execute(db)
  await db.schema.alterTable('payments').dropColumn('attempt').execute()
}
