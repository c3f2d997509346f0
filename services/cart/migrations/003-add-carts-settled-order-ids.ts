import type { Kysely } from 'kysely'

/**
 * The ids of the last orders taken out of each cart (a JSON array, see the cart's
 * settle-order rule). Nullable without a default, so adding it rewrites nothing: a cart stored
 * before it reads as having settled no order.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('carts').addColumn('settled_order_ids', 'text').execute()
}
