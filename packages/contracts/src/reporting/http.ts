import Type from 'typebox'
import { AuditActor, AuditEntity } from '../audit.js'
import { Money } from '../money.js'
import { CursorParam, DateTimeParam, Id, Text } from '../text.js'

/*
 * The reporting service's public API (issue 19; API.md, "Reports and audit"): the day's figures,
 * top products, a customer's lifetime value and an order's timeline, all read models built from
 * the events of orders, payments and shipping; and the audit trail of staff actions.
 */

/** A UTC calendar day, `YYYY-MM-DD`. */
export const Day = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'A UTC calendar day, YYYY-MM-DD.',
})

/** Currency of the figures (default: the service's REPORTING_CURRENCY). */
const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217, upper case.' })

/** Query of the daily figures and their CSV: `from` to `to` inclusive, at most 366 days. */
export const DailyQuery = Type.Object(
  {
    from: Day,
    to: Day,
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
)
export type DailyQuery = Type.Static<typeof DailyQuery>

/** One UTC day's figures. */
export const DayFigures = Type.Object({
  date: Day,
  /** Paid orders: the day's captures (one per order). */
  orders: Type.Integer({ minimum: 0 }),
  /** Money taken: the day's captures (gross, before refunds). */
  revenue: Money,
  /** revenue / orders, rounded half up to the minor unit; 0 without orders. */
  averageOrderValue: Money,
  /** Refunds made that day (full and partial). */
  refunds: Type.Integer({ minimum: 0 }),
  refundedAmount: Money,
  /** Carts started that day: a cart's first line added (`cart.started`), guests' too. */
  carts: Type.Integer({ minimum: 0 }),
  /**
   * orders / carts (paid orders per cart started), to 4 decimals; 0 without carts (may exceed 1:
   * a cart started one day may be paid the next, and a cart may be ordered from twice).
   */
  conversion: Type.Number({ minimum: 0 }),
  /** Orders placed that day (checkouts reached; what `carts` counted before issue 19's end). */
  placed: Type.Integer({ minimum: 0 }),
})
export type DayFigures = Type.Static<typeof DayFigures>

/** `GET /reports/daily`: every day of the range, oldest first, days without activity as zeros. */
export const DailyReport = Type.Object({
  currency: Currency,
  days: Type.Array(DayFigures),
})
export type DailyReport = Type.Static<typeof DailyReport>

/** Query of `GET /reports/top-products`. */
export const TopProductsQuery = Type.Object(
  {
    from: Day,
    to: Day,
    currency: Type.Optional(Currency),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10 })),
  },
  { additionalProperties: false },
)
export type TopProductsQuery = Type.Static<typeof TopProductsQuery>

/** A product (variant) of the paid orders of the range, not cancelled since. */
export const TopProduct = Type.Object({
  productId: Type.String(),
  variantId: Type.Optional(Type.String()),
  /** Its name (and variant label) as last ordered. */
  name: Type.String(),
  quantity: Type.Integer({ minimum: 0 }),
  /** Unit price × quantity, before the order's discounts, shipping and tax. */
  revenue: Money,
})
export type TopProduct = Type.Static<typeof TopProduct>

export const TopProductList = Type.Object({ items: Type.Array(TopProduct) })
export type TopProductList = Type.Static<typeof TopProductList>

export const CustomerParams = Type.Object({ userId: Id() })
export type CustomerParams = Type.Static<typeof CustomerParams>

export const CustomerQuery = Type.Object(
  { currency: Type.Optional(Currency) },
  { additionalProperties: false },
)
export type CustomerQuery = Type.Static<typeof CustomerQuery>

/** A customer's lifetime value: what they paid, less what was refunded. */
export const CustomerValue = Type.Object({
  userId: Type.String(),
  /** Paid orders (captures). */
  orders: Type.Integer({ minimum: 0 }),
  /** Captured − refunded. */
  lifetimeValue: Money,
  refunded: Money,
  firstOrderAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastOrderAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
})
export type CustomerValue = Type.Static<typeof CustomerValue>

export const TimelineParams = Type.Object({ orderId: Id() })
export type TimelineParams = Type.Static<typeof TimelineParams>

/** An event that named the order, as received. */
export const TimelineEntry = Type.Object({
  eventId: Type.String(),
  type: Type.String(),
  source: Type.String(),
  occurredAt: Type.String({ format: 'date-time' }),
  data: Type.Unknown(),
})
export type TimelineEntry = Type.Static<typeof TimelineEntry>

/** `GET /reports/orders/{orderId}/timeline`: oldest first (by `occurredAt`, then arrival). */
export const Timeline = Type.Object({ items: Type.Array(TimelineEntry) })
export type Timeline = Type.Static<typeof Timeline>

/** Query of `GET /audit`: filters combined with AND, newest first, keyset paging. */
export const AuditQuery = Type.Object(
  {
    actorId: Type.Optional(Id()),
    action: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
    entityType: Type.Optional(Text({ minLength: 1, maxLength: 64 })),
    entityId: Type.Optional(Text({ minLength: 1, maxLength: 128 })),
    from: Type.Optional(DateTimeParam()),
    to: Type.Optional(DateTimeParam()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type AuditQuery = Type.Static<typeof AuditQuery>

/** One staff action, as its `audit.recorded` event told it. */
export const AuditEntry = Type.Object({
  /** The event's id. */
  id: Type.String(),
  actor: AuditActor,
  action: Type.String(),
  entity: AuditEntity,
  before: Type.Unknown(),
  after: Type.Unknown(),
  at: Type.String({ format: 'date-time' }),
  /** The service that recorded it. */
  source: Type.String(),
})
export type AuditEntry = Type.Static<typeof AuditEntry>

export const AuditPage = Type.Object({
  items: Type.Array(AuditEntry),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type AuditPage = Type.Static<typeof AuditPage>
