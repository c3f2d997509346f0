import type { orders } from '@emporium/contracts'

export type OrderStatus = orders.OrderStatus

/**
 * How far along an order is, for its first payment attempt. A status only ever replaces one of
 * lower rank, so late, repeated or reordered events cannot move an order back: `shipped` and
 * `cancelled` share the top rank (whichever arrives first stays), while `confirmed → cancelled`
 * (a refund) still applies. A declined payment (`payment_failed`) ranks above its attempt's
 * `awaiting_payment`, and a retry's `awaiting_payment` above that (see `rankOf`); the ends rank
 * above every attempt. (Rows written before attempts ranked confirmed 2, the ends 3: no order of
 * theirs can still be retried, so the order among theirs is unchanged.)
 */
export const statusRank = {
  pending: 0,
  awaiting_payment: 1,
  payment_failed: 2,
  confirmed: 1_000_000,
  shipped: 1_000_001,
  cancelled: 1_000_001,
} as const satisfies Record<OrderStatus, number>

/**
 * The rank of a status of payment attempt `attempt` (from 1): attempt n's `awaiting_payment` is
 * 2n − 1 and its `payment_failed` 2n, so pending → awaiting_payment → payment_failed →
 * awaiting_payment (the retry) → ... only moves forward.
 */
export function rankOf(status: OrderStatus, attempt = 1): number {
  if (status === 'awaiting_payment' || status === 'payment_failed') {
    return statusRank[status] + 2 * (Math.max(1, attempt) - 1)
  }
  return statusRank[status]
}

/**
 * Statuses after which nothing more is streamed (contracts' `terminalOrderStatuses`): nothing
 * follows them. A confirmed order is still followed: it ships, or it is cancelled and refunded.
 */
export const terminalStatuses: ReadonlySet<OrderStatus> = new Set(['shipped', 'cancelled'])

export function isTerminal(status: OrderStatus): boolean {
  return terminalStatuses.has(status)
}

/** A status an order event says the order entered. */
export interface StatusFact {
  orderId: string
  userId: string
  status: OrderStatus
  cancellationReason: string | null
  /** When the order entered the status (the event's `at`). */
  at: string
  /** The payment attempt of an `awaiting_payment` or `payment_failed` (1 when absent). */
  attempt?: number
}

/**
 * Whether `next` replaces the order's `current` status (undefined: the order is not known yet,
 * so any status, even a final one, starts it).
 */
export function advances(
  current: OrderStatus | undefined,
  next: OrderStatus,
  attempts: { current?: number; next?: number } = {},
): boolean {
  return current === undefined || rankOf(next, attempts.next) > rankOf(current, attempts.current)
}

/** The order as the projection ends up after applying `facts` in the given order. */
export function project(facts: readonly StatusFact[]): StatusFact | undefined {
  let state: StatusFact | undefined
  for (const fact of facts) {
    if (advances(state?.status, fact.status, { current: state?.attempt, next: fact.attempt })) {
      state = fact
    }
  }
  return state
}
