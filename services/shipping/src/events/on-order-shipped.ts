import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { OrderCopiesIn } from '../app/ports.js'

/**
 * `order.shipped`: the orders service's one-click "ship all" (before shipments): every line not
 * shipped yet counts as shipped, without a shipment or an event of ours.
 */
export function onOrderShipped(deps: { orderCopiesIn: OrderCopiesIn }) {
  return handler(orders.OrderShipped, {
    adapters: deps.orderCopiesIn,
    async handle(data, copies) {
      await copies.shippedWhole({
        orderId: data.orderId,
        userId: data.userId,
        at: new Date(data.at),
      })
    },
  })
}
