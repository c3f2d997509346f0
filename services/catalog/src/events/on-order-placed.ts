import { AppError, PermanentError, type HandlerContext } from '@emporium/platform'
import { createReserveStock } from '../app/reserve-stock.js'
import { stockLinesOf, type OrderEventDeps, type OrderLines } from './order-event-deps.js'

/**
 * `order.placed`: holds every line or none (`stock.reserved` / `stock.rejected` in the inbox
 * transaction). Idempotent per order id beyond the inbox's per-event one: a second placement
 * of an order gets its first outcome and emits nothing, and so does a placement that comes
 * after the order's cancellation (its tombstone holds nothing).
 */
export function onOrderPlaced(deps: OrderEventDeps & { ttlSeconds: number }) {
  return async (data: OrderLines, { trx }: HandlerContext) => {
    const reserve = createReserveStock({
      reservations: deps.reservationsIn(trx),
      now: deps.now,
      ttlSeconds: deps.ttlSeconds,
    })
    try {
      const result = await reserve(data.orderId, stockLinesOf(data))
      deps.log.debug({ orderId: data.orderId, status: result.status }, 'order placed: stock')
    } catch (error) {
      // No line, or a quantity no retry can fix: dead-letter it (orders times the order out).
      if (error instanceof AppError && error.kind === 'invalid') {
        throw new PermanentError(`order.placed ${data.orderId}: ${error.message}`, {
          cause: error,
        })
      }
      throw error
    }
  }
}
