import { sql, type Transaction } from 'kysely'
import { deferWrite } from '@emporium/platform'
import type { OrderCopies } from '../app/ports.js'
import type { ShippingTables } from './tables.js'

/**
 * The copies of orders, written in an event consumer's transaction. Events of one order may
 * arrive out of order (a retried message comes back after later ones), so each writes only what
 * it knows: a cancellation or a whole shipment heard before the confirmation is remembered, and
 * the confirmation adds its lines to it.
 */
export function createSqlOrderCopies(trx: Transaction<ShippingTables>): OrderCopies {
  async function upsert(
    order: { orderId: string; userId: string; at: Date },
    flag: 'confirmed' | 'cancelled' | 'shipped_whole',
  ): Promise<{ shippedWhole: boolean }> {
    const row = await trx
      .insertInto('shipping_orders')
      .values({
        order_id: order.orderId,
        user_id: order.userId,
        confirmed: flag === 'confirmed',
        cancelled: flag === 'cancelled',
        shipped_whole: flag === 'shipped_whole',
        updated_at: order.at,
      })
      .onConflict((oc) => oc.column('order_id').doUpdateSet({ [flag]: true, updated_at: order.at }))
      // The row as it stands now: a whole shipment heard before the confirmation shows here.
      .returning('shipped_whole')
      .executeTakeFirstOrThrow()
    return { shippedWhole: row.shipped_whole }
  }

  /** Every line not shipped yet is shipped (once the order is shipped whole). */
  async function shipRemaining(orderId: string) {
    await deferWrite(
      trx,
      trx
        .updateTable('shipping_order_lines')
        .set({ shipped: sql<number>`quantity` })
        .where('order_id', '=', orderId)
        .compile(),
    )
  }

  return {
    async confirmed(order) {
      const { shippedWhole } = await upsert(order, 'confirmed')
      // One line per variant (the orders service has one already; summed to be sure).
      const lines = new Map<string, { productId: string; quantity: number }>()
      for (const line of order.lines) {
        const known = lines.get(line.variantId)
        lines.set(line.variantId, {
          productId: line.productId,
          quantity: (known?.quantity ?? 0) + line.quantity,
        })
      }
      if (lines.size > 0) {
        // Nobody reads the insert's result: it goes with the next statement or the commit.
        const insert = trx
          .insertInto('shipping_order_lines')
          .values(
            [...lines].map(([variantId, line]) => ({
              order_id: order.orderId,
              variant_id: variantId,
              product_id: line.productId,
              quantity: line.quantity,
              shipped: 0,
            })),
          )
          // A second confirmation of one order (a new event id) changes nothing.
          .onConflict((oc) => oc.columns(['order_id', 'variant_id']).doNothing())
        await deferWrite(trx, insert.compile())
      }
      if (shippedWhole) await shipRemaining(order.orderId)
    },

    async cancelled(order) {
      await upsert(order, 'cancelled')
    },

    async shippedWhole(order) {
      await upsert(order, 'shipped_whole')
      await shipRemaining(order.orderId)
    },
  }
}
