import { sql, type Kysely } from 'kysely'

/**
 * Partial refunds (issue 19): orders asks for part of a captured payment back
 * (`order.refund-requested`), once per refund id.
 * - `partial_refunds`: each one, `pending` until the provider gave the money back (`refunded`)
 *   or `failed` when it could not be made; leased by the refund processor as payments are;
 * - the ledger holds one refund entry per partial refund (`refund_id`), besides the one entry per
 *   payment and kind of every other effect (a cancellation's refund of what is left included).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('partial_refunds')
    .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
    .addColumn('payment_id', 'varchar(64)', (c) => c.notNull().references('payments.id'))
    .addColumn('order_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'char(3)', (c) => c.notNull())
    .addColumn('state', 'varchar(16)', (c) => c.notNull())
    .addColumn('provider_refund_id', 'varchar(200)')
    .addColumn('failure_reason', 'varchar(64)')
    .addColumn('correlation_id', 'varchar(64)', (c) => c.notNull())
    .addColumn('causation_id', 'varchar(64)')
    .addColumn('claim_token', 'varchar(64)')
    .addColumn('claimed_until', 'timestamptz(3)')
    .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull())
    .execute()
  await sql`create index partial_refunds_payment_idx on partial_refunds (payment_id)`.execute(db)
  await sql`create index partial_refunds_due_idx on partial_refunds (claimed_until, created_at) where state = 'pending'`.execute(
    db,
  )
  await db.schema.alterTable('ledger_entries').addColumn('refund_id', 'varchar(64)').execute()
  await sql`alter table ledger_entries drop constraint ledger_entries_payment_kind_uq`.execute(db)
  await sql`create unique index ledger_entries_payment_kind_uq on ledger_entries (payment_id, kind) where refund_id is null`.execute(
    db,
  )
  await sql`create unique index ledger_entries_refund_uq on ledger_entries (refund_id) where refund_id is not null`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index ledger_entries_refund_uq`.execute(db)
  await sql`drop index ledger_entries_payment_kind_uq`.execute(db)
  await sql`delete from ledger_entries where refund_id is not null`.execute(db)
  await db.schema.alterTable('ledger_entries').dropColumn('refund_id').execute()
  await sql`alter table ledger_entries add constraint ledger_entries_payment_kind_uq unique (payment_id, kind)`.execute(
    db,
  )
  await db.schema.dropTable('partial_refunds').execute()
}
