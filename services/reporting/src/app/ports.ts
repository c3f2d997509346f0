import type { EventEnvelope, audit, reporting } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform/app'
import type { DaySums } from '../domain/figures.js'

/** A line of an order as the reports keep it. */
export interface OrderLineFact {
  productId: string
  variantId?: string
  name: string
  quantity: number
  unitPrice: number
  currency: string
}

/** An order as its `order.placed` or `order.confirmed` told it. */
export interface OrderFact {
  orderId: string
  userId: string
  total: { amount: number; currency: string }
  lines: readonly OrderLineFact[]
  at: Date
}

/** A capture or a refund, once each (its key: the payment's or the refund's id). */
export interface PaymentFact {
  key: string
  kind: 'capture' | 'refund'
  orderId: string
  userId: string
  amount: number
  currency: string
  at: Date
}

/** A cart started (`cart.started`): once per cart and time its first line went in. */
export interface CartFact {
  cartId: string
  guest: boolean
  at: Date
}

/**
 * What the consumers write, in the inbox's transaction. Each fact is written once: a redelivery
 * (or the same fact told by two events) changes nothing, and any order of arrival gives the
 * same rows.
 */
export interface Projections {
  /** An event naming `orderId`, kept as received for the order's timeline. */
  recordEvent(envelope: EventEnvelope, orderId: string): Promise<void>
  orderPlaced(order: OrderFact): Promise<void>
  orderConfirmed(order: OrderFact): Promise<void>
  orderCancelled(order: { orderId: string; userId: string; at: Date }): Promise<void>
  cartStarted(cart: CartFact): Promise<void>
  payment(fact: PaymentFact): Promise<void>
  /** A staff action, appended to the trail (once per event id). */
  audit(envelope: EventEnvelope, data: audit.AuditRecordedData): Promise<void>
}

export type ProjectionsIn = (trx: HandlerContext['trx']) => Projections

/** What the audit search filters on (AND), newest first, after the cursor's row. */
export interface AuditFilter {
  actorId?: string
  action?: string
  entityType?: string
  entityId?: string
  from?: Date
  to?: Date
  limit: number
  after?: { at: Date; id: string }
}

/** What the read routes ask of the store. */
export interface ReportReader {
  /** Sums per day (days with activity only) of `from`..`to` (inclusive) in `currency`. */
  daySums(from: string, to: string, currency: string): Promise<Map<string, DaySums>>
  topProducts(
    from: string,
    to: string,
    currency: string,
    limit: number,
  ): Promise<reporting.TopProduct[]>
  customer(userId: string, currency: string): Promise<reporting.CustomerValue>
  timeline(orderId: string): Promise<reporting.TimelineEntry[]>
  /** Up to `limit + 1` entries, so the caller knows whether there is a next page. */
  audit(filter: AuditFilter): Promise<reporting.AuditEntry[]>
}
