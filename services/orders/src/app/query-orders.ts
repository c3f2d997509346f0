import type { orders } from '@emporium/contracts'
import { missingRole } from '@emporium/platform/app'
import { decodeCursor, encodeCursor } from './cursor.js'
import { orderNotFound, visibleTo, type Caller } from './manage-order.js'
import { toOrder } from './order-view.js'
import type { OrderStore } from './ports.js'

/** `GET /orders/{id}`: the caller's own order (any for an admin); else a 404. */
export function createGetOrder(deps: { orders: OrderStore }) {
  return async (caller: Caller, orderId: string): Promise<orders.Order> => {
    const order = await deps.orders.find(orderId)
    if (!visibleTo(caller, order)) throw orderNotFound(orderId)
    return toOrder(order, caller)
  }
}

/** `GET /orders`: the caller's orders newest first; `?all=true` everyone's (admin only, else 403). */
export function createListOrders(deps: { orders: OrderStore }) {
  return async (caller: Caller, query: orders.ListOrdersQuery): Promise<orders.OrderPage> => {
    if (query.all && !caller.admin) throw missingRole('admin')
    const limit = query.limit ?? 20
    const found = await deps.orders.list({
      userId: query.all ? undefined : caller.userId,
      status: query.status,
      after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      limit: limit + 1,
    })
    const page = found.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map((order) => toOrder(order, caller)),
      nextCursor:
        found.length > limit && last
          ? encodeCursor({ createdAt: last.createdAt, id: last.id })
          : null,
    }
  }
}
