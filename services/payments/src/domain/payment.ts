/**
 * A payment's internal states. `pending`: recorded, nothing asked of the provider yet;
 * `authorized`: the provider holds the amount (a crash may leave it here: the processor then
 * captures or voids); `refund_pending`: captured, to be refunded (the order was cancelled).
 * `captured`, `refunded`, `declined`, `failed` are the ends of a payment's life.
 */
export const PaymentState = {
  pending: 'pending',
  authorized: 'authorized',
  captured: 'captured',
  refundPending: 'refund_pending',
  refunded: 'refunded',
  declined: 'declined',
  failed: 'failed',
} as const
export type PaymentState = (typeof PaymentState)[keyof typeof PaymentState]

/** States the processor still has work in. */
export const dueStates: readonly PaymentState[] = ['pending', 'authorized', 'refund_pending']

/** Public statuses (API.md). */
export type PublicStatus = 'authorized' | 'captured' | 'declined' | 'refunded' | 'failed'

/**
 * The status API.md shows for a state, or undefined for `pending`: nothing has been asked of
 * the provider yet, and no public status says so honestly, so a pending payment is not listed.
 * `refund_pending` still shows `captured`: the money is taken until the refund lands.
 */
export function publicStatus(state: PaymentState): PublicStatus | undefined {
  switch (state) {
    case 'pending':
      return undefined
    case 'refund_pending':
      return 'captured'
    default:
      return state
  }
}

/** Why a payment was declined (the `reason` of `payment.declined`). */
export const DeclineReason = {
  /** The provider kept failing past the retries (status `failed`). */
  providerError: 'provider_error',
  /** The order was cancelled before the money was taken (status `declined`). */
  orderCancelled: 'order_cancelled',
  /**
   * Refused without asking the provider: its user or card was past a decline limit when the
   * charge came (status `declined`). Not counted as a decline of the card: the provider said nothing.
   */
  velocityLimit: 'velocity_limit',
} as const

/** Ledger entry kinds: one row per provider effect. */
export type LedgerKind = 'authorization' | 'capture' | 'refund' | 'void'

/** A provider operation on an order's payment. */
export type ProviderOperation = 'authorize' | 'capture' | 'refund' | 'void'

/**
 * The provider idempotency key of one operation of an order's payment attempt:
 * `<orderId>:authorize`, `:capture`, ... for the first attempt (as before attempts existed),
 * `<orderId>:<attempt>:authorize`, ... for a retry: a new attempt is a new charge, a replayed
 * step of one attempt is answered with its first result.
 */
export function idempotencyKey(orderId: string, operation: ProviderOperation, attempt = 1): string {
  return attempt === 1 ? `${orderId}:${operation}` : `${orderId}:${attempt}:${operation}`
}
