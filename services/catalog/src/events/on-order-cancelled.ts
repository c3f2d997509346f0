import { orders } from '@emporium/contracts'
import { handler, type Logger } from '@emporium/platform'
import { createCancelReservation } from '../app/cancel-reservation.js'
import type { ReservationsIn } from '../app/ports.js'

/**
 * `order.cancelled`: releases the order's hold (`stock.released`, reason `cancelled`),
 * restocks committed units (`stock.restocked`), or leaves a tombstone when the cancellation
 * came before the placement. Anything else (already released, expired, rejected) is a no-op.
 */
export function onOrderCancelled(deps: {
  reservationsIn: ReservationsIn
  now: () => Date
  log: Logger
}) {
  return handler(orders.OrderCancelled, {
    adapters: deps.reservationsIn,
    async handle(data, reservations) {
      const { action } = await createCancelReservation({ reservations, now: deps.now })(
        data.orderId,
      )
      deps.log.info({ orderId: data.orderId, action }, 'order cancelled: reservation')
    },
  })
}
