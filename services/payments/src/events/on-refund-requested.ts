import { orders } from '@emporium/contracts'
import { handler, type HandlerContext } from '@emporium/platform'
import type { PartialRefundWriter } from '../app/refund-ports.js'

/**
 * `order.refund-requested` (issue 19): records the partial refund `pending` on the order's
 * captured payment (the refund processor then asks the provider), or `failed` with
 * `payment.refund-failed` when the payment is not captured (refunded in full by a cancellation,
 * say) or the amount exceeds what is left. Once per refund id.
 */
export function onRefundRequested(deps: {
  refundsIn: (trx: HandlerContext['trx']) => PartialRefundWriter
  now: () => Date
  /** Wakes the refund processor once `trx` has committed. */
  kick: (trx: object) => void
}) {
  return handler(orders.OrderRefundRequested, {
    adapters: (trx) => ({ writer: deps.refundsIn(trx), kick: () => deps.kick(trx) }),
    async handle(data, { writer, kick }, { envelope }) {
      const outcome = await writer.request({
        refundId: data.refundId,
        orderId: data.orderId,
        amount: data.amount,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        at: deps.now(),
      })
      if (outcome === 'pending') kick()
    },
  })
}
