import { sql, type Kysely } from 'kysely'

/**
 * The payments service's tables (PostgreSQL and PGlite alike):
 * - payment_methods: tokenized cards (provider token, last4, brand, expiry; never the number/cvc);
 * - payments: one per order (unique order_id), its internal state and the processor's lease;
 * - ledger_entries: append-only, one row per provider effect (unique per payment and kind);
 * - order_cancellations: orders we heard were cancelled (a tombstone for late requests);
 * - simulated_acquirer: the built-in provider's own state, standing for an external system.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('payment_methods')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('provider_token', 'varchar(200)', (c) => c.notNull())
    .addColumn('last4', 'char(4)', (c) => c.notNull())
    .addColumn('brand', 'varchar(20)', (c) => c.notNull())
    .addColumn('exp_month', 'integer', (c) => c.notNull())
    .addColumn('exp_year', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('payments')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull().unique())
    .addColumn('user_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('payment_method_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('provider_token', 'varchar(200)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('last4', 'char(4)', (c) => c.notNull())
    .addColumn('brand', 'varchar(20)', (c) => c.notNull())
    .addColumn('state', 'varchar(20)', (c) => c.notNull())
    .addColumn('decline_reason', 'varchar(64)')
    .addColumn('authorization_id', 'varchar(200)')
    .addColumn('capture_id', 'varchar(200)')
    .addColumn('refund_id', 'varchar(200)')
    .addColumn('correlation_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('causation_id', 'varchar(64)')
    // The processor's lease: who holds the payment and until when; also "not before" after a failure.
    .addColumn('claim_token', 'varchar(64)')
    .addColumn('claimed_until', 'timestamptz(3)')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .addCheckConstraint(
      'payments_state_ck',
      sql`state in ('pending', 'authorized', 'captured', 'refund_pending', 'refunded', 'declined', 'failed')`,
    )
    .execute()
  await sql`create index payments_user_idx on payments (user_id, created_at desc, id desc)`.execute(
    db,
  )
  await sql`create index payments_newest_idx on payments (created_at desc, id desc)`.execute(db)
  await sql`create index payments_due_idx on payments (claimed_until, created_at) where state in ('pending', 'authorized', 'refund_pending')`.execute(
    db,
  )

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('payment_id', 'varchar(64)', (c) => c.notNull().references('payments.id'))
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('kind', 'varchar(16)', (c) =>
      c.notNull().check(sql`kind in ('authorization', 'capture', 'refund', 'void')`),
    )
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount >= 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('provider_reference', 'varchar(200)', (c) => c.notNull())
    .addColumn('at', 'timestamptz(3)', (c) => c.notNull())
    .addUniqueConstraint('ledger_entries_payment_kind_uq', ['payment_id', 'kind'])
    .execute()
  await sql`create index ledger_entries_order_idx on ledger_entries (order_id)`.execute(db)

  await db.schema
    .createTable('order_cancellations')
    .addColumn('order_id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('reason', 'varchar(64)', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('simulated_acquirer')
    .addColumn('key', 'varchar(250)', (c) => c.primaryKey())
    .addColumn('value', 'text')
    .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
}
