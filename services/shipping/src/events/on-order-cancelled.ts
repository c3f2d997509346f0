import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { OrderCopiesIn } from '../app/ports.js'

/** `order.cancelled`: nothing more of the order is shipped (also when heard before its confirmation). */
export function onOrderCancelled(deps: { orderCopiesIn: OrderCopiesIn }) {
  return handler(orders.OrderCancelled, {
    adapters: deps.orderCopiesIn,
    async handle(data, copies) {
      await copies.cancelled({ orderId: data.orderId, userId: data.userId, at: new Date(data.at) })
    },
  })
}
