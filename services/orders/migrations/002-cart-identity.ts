import { sql, type Kysely } from 'kysely'

/**
 * One cart, one order: each order records the identity of the cart it was placed from
 * (domain/cart-identity.ts), and a partial unique index lets at most one order that is not
 * cancelled hold a given (customer, cart identity). Two placements of the same cart at the same
 * instant, on any replicas, cannot both commit; a cancelled order lets the cart go. Orders from
 * before this migration have none (NULLs never collide).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('cart_identity', 'char(64)').execute()
  await sql`create unique index orders_cart_held_uq on orders (user_id, cart_identity) where status <> 'cancelled'`.execute(
    db,
  )
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index orders_cart_held_uq`.execute(db)
  await db.schema.alterTable('orders').dropColumn('cart_identity').execute()
}
