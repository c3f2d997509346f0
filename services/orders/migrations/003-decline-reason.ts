import type { Kysely } from 'kysely'

/**
 * The provider's precise reason of a declined or failed payment (`card_declined`, ...), kept for
 * admins: the shopper's view shows the generic cancellation reason `payment_declined`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('decline_reason', 'varchar(64)').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('decline_reason').execute()
}
