import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { OrderCopiesIn } from '../app/ports.js'

/**
 * `order.cancelled`: nothing more of the order is shipped (also when heard before its
 * confirmation). An order cancelled before it was confirmed never will be: nothing to keep.
 */
export function onOrderCancelled(deps: { orderCopiesIn: OrderCopiesIn }) {
  return handler(orders.OrderCancelled, {
    adapters: deps.orderCopiesIn,
    async handle(data, copies) {
      if (data.previousStatus !== 'confirmed') return
      await copies.cancelled({ orderId: data.orderId, userId: data.userId, at: new Date(data.at) })
    },
  })
}
