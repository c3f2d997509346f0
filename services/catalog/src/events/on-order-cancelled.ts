import type { HandlerContext } from '@emporium/platform'
import { createCancelReservation } from '../app/cancel-reservation.js'
import type { OrderEventDeps } from './order-event-deps.js'

/**
 * `order.cancelled`: releases the order's hold (`stock.released`, reason `cancelled`),
 * restocks committed units (`stock.restocked`), or leaves a tombstone when the cancellation
 * came before the placement. Anything else (already released, expired, rejected) is a no-op.
 */
export function onOrderCancelled(deps: OrderEventDeps) {
  return async (data: { orderId: string }, { trx }: HandlerContext) => {
    const cancel = createCancelReservation({
      reservations: deps.reservationsIn(trx),
      now: deps.now,
    })
    const { action } = await cancel(data.orderId)
    deps.log.info({ orderId: data.orderId, action }, 'order cancelled: reservation')
  }
}
