import { orders } from '@emporium/contracts'
import { handler, type Logger } from '@emporium/platform'
import type { ReservationsIn } from '../app/ports.js'

/**
 * `order.confirmed`: the held units leave the stock (`stock.committed`). A reservation that is
 * missing or no longer holds anything is logged and acknowledged: retrying cannot change it,
 * and the confirmation stands either way (orders owns the order).
 */
export function onOrderConfirmed(deps: {
  reservationsIn: ReservationsIn
  now: () => Date
  log: Logger
}) {
  return handler(orders.OrderConfirmed, {
    adapters: deps.reservationsIn,
    async handle(data, reservations) {
      const outcome = await reservations.commit(data.orderId, deps.now())
      if (outcome === 'not_found') {
        deps.log.error({ orderId: data.orderId }, 'order confirmed without a reservation')
      } else if (outcome === 'not_held') {
        deps.log.error(
          { orderId: data.orderId },
          'order confirmed but its reservation holds nothing (released, expired, rejected, restocked)',
        )
      }
    },
  })
}
