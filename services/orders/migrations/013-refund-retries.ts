import type { Kysely } from 'kysely'

/**
 * Retried refunds (issue 19; docs/checkout.md, "Refunds and returns"): `retry_of` names the
 * failed refund a new one retries (`POST /orders/{id}/refunds/{refundId}/retry`). Unique: a
 * failed refund is retried once (a retry that fails too is retried in its turn); the order's
 * row lock serializes retries, the index says so to the database as well.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('order_refunds').addColumn('retry_of', 'text').execute()
  await db.schema
    .createIndex('order_refunds_retry_of_uq')
    .on('order_refunds')
    .column('retry_of')
    .unique()
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('order_refunds_retry_of_uq').execute()
  await db.schema.alterTable('order_refunds').dropColumn('retry_of').execute()
}
