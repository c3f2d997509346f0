import type { orders } from '@emporium/contracts'

export type OrderStatus = orders.OrderStatus

/**
 * How far along an order is. A status only ever replaces one of lower rank, so late, repeated
 * or reordered events cannot move an order back: `shipped` and `cancelled` share the top rank
 * (whichever arrives first stays), while `confirmed → cancelled` (a refund) still applies.
 */
export const statusRank = {
  pending: 0,
  awaiting_payment: 1,
  confirmed: 2,
  shipped: 3,
  cancelled: 3,
} as const satisfies Record<OrderStatus, number>

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
}

/**
 * Whether `next` replaces the order's `current` status (undefined: the order is not known yet,
 * so any status, even a final one, starts it).
 */
export function advances(current: OrderStatus | undefined, next: OrderStatus): boolean {
  return current === undefined || statusRank[next] > statusRank[current]
}

/** The order as the projection ends up after applying `facts` in the given order. */
export function project(facts: readonly StatusFact[]): StatusFact | undefined {
  let state: StatusFact | undefined
  for (const fact of facts) if (advances(state?.status, fact.status)) state = fact
  return state
}
