import type { PaymentStatus } from './order.js'

/**
 * What a `payment.declined` reason means for the order: the payment's status and the order's
 * cancellation reason, or no reason when the decline must not cancel (`order_cancelled`: the
 * order was cancelled first, the charge was only dropped).
 */
export function declineOutcome(reason: string): {
  paymentStatus: PaymentStatus
  cancellationReason: string | undefined
} {
  if (reason === 'provider_error')
    return { paymentStatus: 'failed', cancellationReason: 'payment_failed' }
  if (reason === 'order_cancelled')
    return { paymentStatus: 'declined', cancellationReason: undefined }
  // card_declined, insufficient_funds, and any reason a later payments version adds.
  return { paymentStatus: 'declined', cancellationReason: reason.slice(0, 64) }
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
