import type { PaymentStatus } from './order.js'

/**
 * What a `payment.declined` reason means for the order: the payment's status, the order's
 * cancellation reason (no reason when the decline must not cancel: `order_cancelled`, the order
 * was cancelled first and the charge only dropped), and the precise reason kept for admins. A
 * card's decline is the generic `payment_declined` to the shopper, whatever the provider said:
 * which decline it was (`card_declined`, `insufficient_funds`) helps a card tester.
 */
export function declineOutcome(reason: string): {
  paymentStatus: PaymentStatus
  cancellationReason: string | undefined
  declineReason: string | undefined
} {
  const declineReason = reason.slice(0, 64)
  if (reason === 'provider_error')
    return { paymentStatus: 'failed', cancellationReason: 'payment_failed', declineReason }
  if (reason === 'order_cancelled')
    return { paymentStatus: 'declined', cancellationReason: undefined, declineReason: undefined }
  // card_declined, insufficient_funds, and any reason a later payments version adds.
  return { paymentStatus: 'declined', cancellationReason: 'payment_declined', declineReason }
}

/**
 * The payment status after an event, whatever order events arrive in: a refund is the last
 * word, and a capture is never undone by a late decline.
 */
export function mergePaymentStatus(
  current: PaymentStatus | undefined,
  incoming: PaymentStatus,
): PaymentStatus {
  if (current === 'refunded') return current
  if (current === 'captured' && incoming !== 'refunded') return current
  return incoming
}
