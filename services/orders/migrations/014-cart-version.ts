import type { Kysely } from 'kysely'

/**
 * The version of the cart an order was placed from (the cart's `version`), told with
 * `order.confirmed` so that the cart settles only the lines it held then (a line the shopper took
 * out and added again before the confirmation stays). Null for orders placed before it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('cart_version', 'bigint').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('cart_version').execute()
}
