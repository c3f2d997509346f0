import { orders as events } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { advance, type OrderRecord } from '../domain/order.js'
import { cancelOrderIn } from './cancellation.js'
import { toOrder } from './order-view.js'
import type { OrderStore } from './ports.js'

/** Who is asking: the verified token's subject and whether it holds the admin role. */
export interface Caller {
  userId: string
  admin: boolean
}

export function orderNotFound(orderId: string): AppError {
  return new AppError('not_found', 'ORDERS.NOT_FOUND', `No order ${orderId}.`)
}

/** Someone else's order is a 404, unless the caller is an admin. */
export function visibleTo(caller: Caller, order: OrderRecord | undefined): order is OrderRecord {
  return order !== undefined && (caller.admin || order.userId === caller.userId)
}

/**
 * `POST /orders/{id}/cancel`: the owner (`customer_cancelled`) or an admin cancelling another's
 * (`admin_cancelled`), until it ships. A paid order is refunded by payments on hearing of it.
 */
export function createCancelOrder(deps: { orders: OrderStore; now: () => Date }) {
  return (caller: Caller, orderId: string) =>
    deps.orders.transaction(async (tx) => {
      const order = await tx.lock(orderId)
      if (!visibleTo(caller, order)) throw orderNotFound(orderId)
      const reason = order.userId === caller.userId ? 'customer_cancelled' : 'admin_cancelled'
      return toOrder(await cancelOrderIn(tx, order, reason, deps.now()), caller)
    })
}

/** `POST /orders/{id}/ship` (admin): confirmed → shipped, `order.shipped`. */
export function createShipOrder(deps: { orders: OrderStore; now: () => Date }) {
  return (orderId: string) =>
    deps.orders.transaction(async (tx) => {
      const order = await tx.lock(orderId)
      if (!order) throw orderNotFound(orderId)
      const now = deps.now()
      const shipped = advance(order, 'shipped', now, null)
      await tx.save(shipped)
      await tx.emit(events.OrderShipped, {
        orderId: order.id,
        userId: order.userId,
        at: now.toISOString(),
      })
      // Only an admin ships.
      return toOrder(shipped, { admin: true })
    })
}
