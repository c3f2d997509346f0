import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { OrderCopiesIn } from '../app/ports.js'

/**
 * `order.confirmed`: the order may be shipped; its lines (by variant; a line from before variants
 * is the product's id) and its owner are kept for the shipments to come.
 */
export function onOrderConfirmed(deps: { orderCopiesIn: OrderCopiesIn }) {
  return handler(orders.OrderConfirmed, {
    adapters: deps.orderCopiesIn,
    async handle(data, copies) {
      await copies.confirmed({
        orderId: data.orderId,
        userId: data.userId,
        lines: data.lines.map((line) => ({
          productId: line.productId,
          variantId: line.variantId ?? line.productId,
          quantity: line.quantity,
        })),
        at: new Date(data.at),
      })
    },
  })
}
