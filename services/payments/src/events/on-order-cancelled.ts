import { orders } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { PaymentsIn } from './on-payment-requested.js'

/**
 * `order.cancelled`: remembers the cancellation (also for a payment request arriving later) and,
 * with the order's payments locked (one per attempt), marks a captured one for refund. A payment not charged yet is left
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
      const payments = await writer.lockPaymentsOfOrder(data.orderId)
      await writer.recordCancellation({
        orderId: data.orderId,
        reason: data.reason,
        at: new Date(data.at),
      })
      // Every attempt's: at most one is captured (the processor's guard), the others ended.
      for (const payment of payments) {
        if (payment.state === 'captured') {
          await writer.setState(payment.id, 'refund_pending', deps.now())
        }
      }
      if (payments.length > 0) kick()
    },
  })
}
