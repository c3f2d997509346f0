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

/** An order as its `order.cancelled` told it. */
export interface CancelledOrderFact {
  orderId: string
  userId: string
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

/** An event as received, with the fact it tells: it goes on the timeline of `fact.orderId`. */
export interface Told<F> {
  envelope: EventEnvelope
  fact: F
}

/** A staff action (`audit.recorded`), on the timeline of `orderId` when it acted on an order. */
export interface ToldAction extends Told<audit.AuditRecordedData> {
  orderId: string | null
}

/**
 * What the consumers write, in the inbox's transaction. Each fact is written once: a redelivery
 * (or the same fact told by two events) changes nothing, and any order of arrival gives the
 * same rows. Each call takes a run of events of one type (in delivery order) and has the effect
 * of taking them one at a time, in one statement: an event's timeline row with its facts.
 */
export interface Projections {
  /** Events that only go on their order's timeline, kept as received. */
  timeline(events: readonly Told<{ orderId: string }>[]): Promise<void>
  ordersPlaced(events: readonly Told<OrderFact>[]): Promise<void>
  ordersConfirmed(events: readonly Told<OrderFact>[]): Promise<void>
  ordersCancelled(events: readonly Told<CancelledOrderFact>[]): Promise<void>
  /** Carts started (on no timeline). */
  cartsStarted(carts: readonly CartFact[]): Promise<void>
  payments(events: readonly Told<PaymentFact>[]): Promise<void>
  /** Staff actions, appended to the trail (once per event id). */
  audit(events: readonly ToldAction[]): Promise<void>
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
