import { orders } from '@emporium/contracts'
import { AppError, handler, PermanentError, type Logger } from '@emporium/platform'
import type { ReservationsIn } from '../app/ports.js'
import { createReserveStock } from '../app/reserve-stock.js'

/**
 * `order.placed`: holds every line (of its variant) or none (`stock.reserved` / `stock.rejected` in the inbox
 * transaction). Idempotent per order id beyond the inbox's per-event one: a second placement
 * of an order gets its first outcome and emits nothing, and so does a placement that comes
 * after the order's cancellation (its tombstone holds nothing).
 */
export function onOrderPlaced(deps: {
  reservationsIn: ReservationsIn
  now: () => Date
  log: Logger
  ttlSeconds: number
}) {
  return handler(orders.OrderPlaced, {
    adapters: deps.reservationsIn,
    async handle(data, reservations) {
      const reserve = createReserveStock({
        reservations,
        now: deps.now,
        ttlSeconds: deps.ttlSeconds,
      })
      // The lines as stock lines: product, variant and units only. A line without a variant
      // (placed before variants) is of the product's first variant, whose id is the product's.
      const lines = data.lines.map((l) => ({
        productId: l.productId,
        ...(l.variantId !== undefined ? { variantId: l.variantId } : {}),
        quantity: l.quantity,
      }))
      try {
        const result = await reserve(data.orderId, lines)
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
    },
  })
}
