import type { Money } from '@emporium/contracts'

/** A partial refund orders asked for (issue 19), with what of its payment the event needs. */
export interface PartialRefund {
  id: string
  paymentId: string
  orderId: string
  amount: Money
  state: 'pending' | 'refunded' | 'failed'
  /** Its payment's capture, attempt, user and card. */
  captureId: string
  attempt: number
  userId: string
  last4: string
  failures: number
}

/** The partial refund consumer's writes, in its inbox transaction. */
export interface PartialRefundWriter {
  /**
   * Records the refund of `amount` of the order's captured payment, its payments locked first
   * (as a cancellation's consumer locks them): `pending` when the payment is captured and the
   * amount within what is left, else `failed` with its `payment.refund-failed`. A repeated
   * refund id changes nothing. Returns the outcome.
   */
  request(input: {
    refundId: string
    orderId: string
    amount: Money
    correlationId: string
    causationId: string
    at: Date
  }): Promise<'pending' | 'failed' | 'known'>
}

/** What the refund processor needs of the database. */
export interface PartialRefundStore {
  /** Leases up to `limit` pending refunds with no live lease to `token` until `until`. */
  claimDue(options: {
    now: Date
    until: Date
    token: string
    limit: number
  }): Promise<PartialRefund[]>
  /**
   * In one transaction: the refund `refunded` (if still pending), its ledger entry and
   * `payment.refunded` with its `refundId`; the lease ends.
   */
  recordRefunded(refund: PartialRefund, providerRefundId: string, at: Date): Promise<void>
  /** Ends the lease; after a failure the refund waits until `retryAt` (failures counted). */
  release(id: string, token: string, retryAt: Date): Promise<void>
}
