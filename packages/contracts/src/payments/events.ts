import Type from 'typebox'
import { defineEvent } from '../events.js'
import { Money } from '../money.js'

/* Events published by the payments service (step 4 of the checkout saga, and refunds). */

const Common = {
  paymentId: Type.String({ minLength: 1 }),
  orderId: Type.String({ minLength: 1, maxLength: 64 }),
  userId: Type.String({ minLength: 1 }),
  amount: Money,
  last4: Type.String({ pattern: '^[0-9]{4}$' }),
  at: Type.String({ format: 'date-time' }),
  /**
   * Which of the order's payment attempts (`order.payment-requested`'s `attempt`, issue 18);
   * absent in events from before attempts, which meant the first.
   */
  attempt: Type.Optional(Type.Integer({ minimum: 1 })),
}

/** The order's total was authorized and captured. */
export const PaymentCaptured = defineEvent('payment.captured', 1, Type.Object(Common))

/**
 * Nothing was charged: the card was refused (`card_declined`, `insufficient_funds`), the provider
 * kept failing (`provider_error`), or the order was cancelled first (`order_cancelled`).
 */
export const PaymentDeclined = defineEvent(
  'payment.declined',
  1,
  Type.Object({ ...Common, reason: Type.String({ minLength: 1 }) }),
)

/**
 * A capture was refunded: in full (the order was cancelled after payment: the part not refunded
 * yet), or, with `refundId`, the partial refund orders asked for (`order.refund-requested`):
 * `amount` is then what that refund gave back.
 */
export const PaymentRefunded = defineEvent(
  'payment.refunded',
  1,
  Type.Object({
    ...Common,
    /** The refund of `order.refund-requested` this answers (issue 19); absent: the full refund. */
    refundId: Type.Optional(Type.String({ minLength: 1 })),
  }),
)

/**
 * A partial refund (`order.refund-requested`) cannot be made: the payment is not captured or was
 * refunded in full meanwhile (`payment_not_refundable`), or the amount exceeds what is left
 * (`exceeds_captured`). Nothing was given back.
 */
export const PaymentRefundFailed = defineEvent(
  'payment.refund-failed',
  1,
  Type.Object({
    refundId: Type.String({ minLength: 1 }),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    reason: Type.String({ minLength: 1 }),
    at: Type.String({ format: 'date-time' }),
  }),
)
