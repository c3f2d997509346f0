import type { orders } from '@emporium/contracts'
import { missingPermission } from '@emporium/platform/app'
import { customerIdNeedsAll, searchAfter, searchCursor, searchFilters } from './order-search.js'
import { orderNotFound, visibleTo, type Caller } from './manage-order.js'
import { toOrder } from './order-view.js'
import type { OrderStore } from './ports.js'

/** `GET /orders/{id}`: the caller's own order (any for staff with orders.read); else a 404. */
export function createGetOrder(deps: { orders: OrderStore }) {
  return async (caller: Caller, orderId: string): Promise<orders.Order> => {
    const order = await deps.orders.find(orderId)
    if (!visibleTo(caller, order)) throw orderNotFound(orderId)
    return toOrder(order, caller)
  }
}

/** `GET /orders`: the caller's orders newest first; `?all=true` everyone's (orders.read; 403). */
export function createListOrders(deps: { orders: OrderStore }) {
  return async (caller: Caller, query: orders.ListOrdersQuery): Promise<orders.OrderPage> => {
    if (query.all && !caller.canReadAll) throw missingPermission('orders.read')
    const limit = query.limit ?? 20
    // The staff's search (issue 19): filters combined with AND, cursors bound to them.
    if (query.customerId !== undefined && !query.all) throw customerIdNeedsAll()
    const found = await deps.orders.list({
      userId: query.all ? query.customerId : caller.userId,
      status: query.status,
      ...searchFilters(query),
      after: searchAfter(query),
      limit: limit + 1,
    })
    const page = found.slice(0, limit)
    const last = page.at(-1)
    return {
      items: page.map((order) => toOrder(order, caller)),
      nextCursor:
        found.length > limit && last
          ? searchCursor(query, { createdAt: last.createdAt, id: last.id })
          : null,
    }
  }
}

/**
 * `GET /order-links/{token}`: a guest's order through its signed link (domain/order-link.ts); a
 * token that is not a valid link, or names no order, is the same 404.
 */
export function createOrderByLink(deps: {
  orders: OrderStore
  links: { verify(token: string, now: Date): Promise<string | undefined> }
  now: () => Date
}) {
  return async (token: string): Promise<orders.Order> => {
    const orderId = await deps.links.verify(token, deps.now())
    const order = orderId === undefined ? undefined : await deps.orders.find(orderId)
    if (!order || !order.email) throw orderNotFound(orderId ?? 'of this link')
    return toOrder(order)
  }
}
