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

/** A capture was refunded in full (the order was cancelled after payment). */
export const PaymentRefunded = defineEvent('payment.refunded', 1, Type.Object(Common))
