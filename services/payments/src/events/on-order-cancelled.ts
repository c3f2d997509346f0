import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { PaymentsIn } from './on-payment-requested.js'

/**
 * `order.cancelled`: remembers the cancellation (also for a payment request arriving later) and,
 * with the payment locked, marks a captured payment for refund. A payment not charged yet is left
 * to the processor, which sees the cancellation and declines it (`order_cancelled`) without
 * charging, or voids its hold.
 */
export function onOrderCancelled(deps: {
  paymentsIn: PaymentsIn
  now: () => Date
  /** Wakes the processor once `trx` has committed. */
  kick: (trx: object) => void
}) {
  return handler(orders.OrderCancelled, {
    adapters: (trx) => ({ writer: deps.paymentsIn(trx), kick: () => deps.kick(trx) }),
    async handle(data, { writer, kick }) {
      // Locked first, so the processor's record of a capture and this cannot interleave.
      const payment = await writer.lockPaymentOfOrder(data.orderId)
      await writer.recordCancellation({
        orderId: data.orderId,
        reason: data.reason,
        at: new Date(data.at),
      })
      if (payment?.state === 'captured') {
        await writer.setState(payment.id, 'refund_pending', deps.now())
      }
      if (payment) kick()
    },
  })
}
