import { orders as events, type orders } from '@emporium/contracts'
import type { Logger } from '@emporium/platform/app'
import { fingerprint } from '../domain/idempotency.js'
import { retryPayment, type OrderRecord } from '../domain/order.js'
import { createIdempotentRunner, LostClaim, type IdempotentResult } from './idempotent-request.js'
import { orderNotFound } from './manage-order.js'
import { toOrder } from './order-view.js'
import type {
  IdempotencyStore,
  KeyClaim,
  OrderStore,
  PaymentsPort,
  StoredResponse,
} from './ports.js'

export interface RetryPaymentDeps {
  orders: OrderStore
  keys: IdempotencyStore
  payments: PaymentsPort
  now: () => Date
  /** How long payments has to answer the new attempt (as for the first one). */
  paymentDeadlineMs: number
  log: Logger
  leaseMs?: number
  waitMs?: number
  pollMs?: number
}

export interface RetryPaymentRequest {
  userId: string
  orderId: string
  idempotencyKey: string
  body: orders.PaymentAttemptBody
}

/**
 * The fingerprint of a `POST /orders/{id}/payment-attempts` body: the order and the card's last
 * four digits and expiry (never the number or the CVC, as for placements).
 */
export function attemptFingerprint(orderId: string, body: orders.PaymentAttemptBody): string {
  const { cardNumber, expMonth, expYear } = body.payment
  return fingerprint({
    paymentAttempt: orderId,
    payment: { last4: cardNumber.slice(-4), expMonth, expYear },
  })
}

/**
 * `POST /orders/{id}/payment-attempts`: the owner pays an order `payment_failed` again with
 * another card, before its payment deadline. The card is tokenized by payments first (its
 * decline limits apply, as at placement); then, in one transaction, the order goes back to
 * `awaiting_payment` with the next attempt and the new card, `order.payment-requested` (with
 * the attempt) is written to the outbox, and the Idempotency-Key stores the answer: a repeat
 * with the same key replays it and makes no second attempt. Someone else's order is a 404
 * (an admin's too: only the shopper pays); any other status, or a deadline passed, is a 409.
 */
export function createRetryPayment(deps: RetryPaymentDeps) {
  const idempotent = createIdempotentRunner(deps)

  function check(order: OrderRecord | undefined, request: RetryPaymentRequest): OrderRecord {
    if (!order || order.userId !== request.userId) throw orderNotFound(request.orderId)
    // The domain's refusal (a 409), before anything else is asked.
    retryPayment(order, order.paymentMethod, deps.now(), deps.now())
    return order
  }

  async function attempt(request: RetryPaymentRequest, claim: KeyClaim) {
    // Refused before the card is tokenized when it cannot be paid; the lock below decides.
    check(await deps.orders.find(request.orderId), request)
    const method = await deps.payments.tokenize(request.userId, request.body.payment)
    const response = await deps.orders.transaction(async (tx): Promise<StoredResponse> => {
      const order = check(await tx.lock(request.orderId), request)
      const now = deps.now()
      const next = retryPayment(
        order,
        { id: method.paymentMethodId, last4: method.last4, brand: method.brand },
        now,
        new Date(now.getTime() + deps.paymentDeadlineMs),
      )
      const stored: StoredResponse = { status: 202, body: JSON.stringify(toOrder(next)) }
      if (!(await tx.completeKey(claim, stored))) throw new LostClaim()
      await tx.save(next)
      await tx.emit(events.OrderPaymentRequested, {
        orderId: next.id,
        userId: next.userId,
        amount: { ...next.total },
        paymentMethodId: next.paymentMethod.id,
        attempt: next.paymentAttempt,
        at: now.toISOString(),
      })
      return stored
    })
    deps.log.info({ orderId: request.orderId }, 'payment attempted again with another card')
    return response
  }

  return (request: RetryPaymentRequest): Promise<IdempotentResult> =>
    idempotent(
      {
        userId: request.userId,
        idempotencyKey: request.idempotencyKey,
        fingerprint: attemptFingerprint(request.orderId, request.body),
      },
      (claim) => attempt(request, claim),
    )
}
