import { audit, orders as events } from '@emporium/contracts'
import { AppError, missingPermission } from '@emporium/platform/app'
import { advance, type OrderRecord } from '../domain/order.js'
import { toOrder } from './order-view.js'
import type { StaffCaller } from './refunds.js'
import type { OrderStore } from './ports.js'
import { cancelAs, type CancelRequest } from './staff-cancel.js'

/**
 * Who is asking: the verified token's subject and what its roles allow (issue 19): reading
 * anyone's orders (`orders.read`) and cancelling them (`orders.manage`).
 */
export interface Caller {
  userId: string
  canReadAll: boolean
  canManage: boolean
}

export function orderNotFound(orderId: string): AppError {
  return new AppError('not_found', 'ORDERS.NOT_FOUND', `No order ${orderId}.`)
}

/** Someone else's order is a 404, unless the caller holds `orders.read`. */
export function visibleTo(caller: Caller, order: OrderRecord | undefined): order is OrderRecord {
  return order !== undefined && (caller.canReadAll || order.userId === caller.userId)
}

/**
 * `POST /orders/{id}/cancel`: the owner (`customer_cancelled`) or staff with `orders.manage`
 * cancelling another's (`admin_cancelled`; staff who only read it get a 403), until it ships.
 * A paid order is refunded by payments on hearing of it.
 */
export function createCancelOrder(deps: { orders: OrderStore; now: () => Date }) {
  return (caller: Caller, orderId: string, request: CancelRequest = {}) =>
    deps.orders.transaction(async (tx) => {
      const order = await tx.lock(orderId)
      if (!visibleTo(caller, order)) throw orderNotFound(orderId)
      if (order.userId !== caller.userId && !caller.canManage) {
        throw missingPermission('orders.manage')
      }
      // Issue 19: staff's reason and note, audited (staff-cancel.ts).
      return toOrder(await cancelAs(tx, caller, order, request, deps.now()), caller)
    })
}

/**
 * `POST /orders/{id}/ship` (staff: orders.fulfil): confirmed → shipped, `order.shipped`; the
 * staff member's (`actor`) is audited, `order.shipped` with the status before and after, in the
 * same transaction (issue 19). A refused one records nothing.
 */
export function createShipOrder(deps: { orders: OrderStore; now: () => Date }) {
  return (orderId: string, actor?: StaffCaller) =>
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
      if (actor) {
        await tx.emit(
          audit.AuditRecorded,
          audit.auditRecorded(
            actor,
            'order.shipped',
            { type: 'order', id: order.id },
            { status: order.status },
            { status: shipped.status },
            now,
          ),
        )
      }
      // Only staff ship.
      return toOrder(shipped, { canReadAll: true })
    })
}
