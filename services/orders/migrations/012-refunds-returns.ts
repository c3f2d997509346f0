import type { Kysely } from 'kysely'

/**
 * Refunds and returns (issue 19; docs/checkout.md, "Refunds and returns"):
 * - `order_refunds`: each refund of part of an order's payment (by amount, by lines, or a
 *   return's), `requested` until payments answers; the sum of those not failed never exceeds
 *   the captured total (checked with the order's row locked);
 * - `order_returns`: each return of lines of a shipped order, with its deadline (the sweeper
 *   expires a return still `requested` then).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('order_refunds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('amount', 'bigint', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'text')
    .addColumn('reason', 'text')
    .addColumn('return_id', 'text')
    .addColumn('failure_reason', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('refunded_at', 'timestamptz')
    .execute()
  await db.schema
    .createIndex('order_refunds_order_idx')
    .on('order_refunds')
    .columns(['order_id', 'created_at'])
    .execute()
  await db.schema
    .createTable('order_returns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('order_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('lines', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('rejection_reason', 'text')
    .addColumn('refund_id', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('order_returns_order_idx')
    .on('order_returns')
    .columns(['order_id', 'created_at'])
    .execute()
  await db.schema
    .createIndex('order_returns_due_idx')
    .on('order_returns')
    .columns(['status', 'deadline_at'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('order_returns').execute()
  await db.schema.dropTable('order_refunds').execute()
}
