import Type from 'typebox'
import { defineEvent } from '../events.js'
import { Money } from '../money.js'
import { CancellationReason } from './http.js'

/*
 * The checkout saga's events published by the orders service (DESIGN.md, "The checkout saga").
 * Every status change of an order is one of them, so that a consumer (notifications' status
 * stream) can follow an order from its events alone.
 */

const OrderId = Type.String({ minLength: 1, maxLength: 64 })
const UserId = Type.String({ minLength: 1 })
const Line = Type.Object({
  productId: Type.String({ minLength: 1 }),
  /**
   * The variant bought (issue 17); absent in events from before variants, which meant the
   * product's first variant, whose id is the product's.
   */
  variantId: Type.Optional(Type.String({ minLength: 1 })),
  /** The variant's option values for display (`M / Blue`); absent without options. */
  variantLabel: Type.Optional(Type.String()),
  name: Type.String(),
  unitPrice: Money,
  quantity: Type.Integer({ minimum: 1 }),
})
const At = Type.String({ format: 'date-time', description: 'When the order entered the status.' })

/**
 * The totals breakdown (issue 18: docs/checkout.md, "Totals and rounding"), in the events that
 * carry a total; absent in events from before it, whose total was the subtotal.
 */
const Breakdown = {
  subtotal: Type.Optional(Money),
  discount: Type.Optional(Money),
  shipping: Type.Optional(Money),
  tax: Type.Optional(Money),
  taxInclusive: Type.Optional(Type.Boolean()),
  shippingMethod: Type.Optional(
    Type.Object({ id: Type.String(), name: Type.String(), carrier: Type.String() }),
  ),
  promotionCode: Type.Optional(Type.String()),
  /** A guest's order: the address it was placed with (its only contact). */
  email: Type.Optional(Type.String()),
}

/** Step 1: the order is stored `pending`; catalog reserves its lines (all or none). */
export const OrderPlaced = defineEvent(
  'order.placed',
  1,
  Type.Object({
    orderId: OrderId,
    userId: UserId,
    lines: Type.Array(Line),
    total: Money,
    ...Breakdown,
    at: At,
  }),
)

/**
 * Step 3: stock is held, the order is `awaiting_payment`; payments charges `amount` with the
 * payment method tokenized at placement (idempotent on the order id and attempt). Again, with
 * the next `attempt` and the new card, when the shopper retries an order `payment_failed`.
 */
export const OrderPaymentRequested = defineEvent(
  'order.payment-requested',
  1,
  Type.Object({
    orderId: OrderId,
    userId: UserId,
    amount: Money,
    /** The payments service's id of the card tokenized when the order was placed. */
    paymentMethodId: Type.String({ minLength: 1 }),
    /**
     * The order's payment attempt, from 1 (issue 18: a retry after a decline is the next one);
     * absent in events from before attempts, which meant the first.
     */
    attempt: Type.Optional(Type.Integer({ minimum: 1 })),
    at: At,
  }),
)

/**
 * The payment of an attempt was declined or failed: the order is `payment_failed`, its stock
 * still held until `paymentDueBy`; the shopper may retry with another card (a new
 * `order.payment-requested`) or cancel, and past `paymentDueBy` it is cancelled.
 */
export const OrderPaymentFailed = defineEvent(
  'order.payment-failed',
  1,
  Type.Object({
    orderId: OrderId,
    userId: UserId,
    attempt: Type.Integer({ minimum: 1 }),
    /** The generic reason the shopper sees: `payment_declined` or `payment_failed`. */
    reason: Type.String({ minLength: 1, maxLength: 64 }),
    paymentDueBy: Type.String({ format: 'date-time' }),
    at: At,
  }),
)

/** Step 5: paid; catalog commits the reservation, cart removes the ordered lines, notifications tell the shopper. */
export const OrderConfirmed = defineEvent(
  'order.confirmed',
  1,
  Type.Object({
    orderId: OrderId,
    userId: UserId,
    lines: Type.Array(Line),
    total: Money,
    ...Breakdown,
    /**
     * A guest's order: the token of its signed link (`GET /order-links/{token}`), which
     * notifications mails to `email`: the guest's only way back to the order.
     */
    orderLink: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /**
     * The version of the cart the order was placed from (`GET /cart`'s `version`): the cart
     * settles only lines it held then. Absent for orders placed before orders recorded it.
     */
    cartVersion: Type.Optional(Type.Integer({ minimum: 0 })),
    at: At,
  }),
)

/**
 * The order is cancelled (from `previousStatus`): catalog releases its hold (or restocks a
 * committed one), payments refunds a capture or drops a charge not yet made.
 */
export const OrderCancelled = defineEvent(
  'order.cancelled',
  1,
  Type.Object({
    orderId: OrderId,
    userId: UserId,
    previousStatus: Type.Union([
      Type.Literal('pending'),
      Type.Literal('awaiting_payment'),
      Type.Literal('payment_failed'),
      Type.Literal('confirmed'),
    ]),
    reason: CancellationReason,
    lines: Type.Array(Line),
    total: Money,
    at: At,
  }),
)

/** The order left the warehouse. */
export const OrderShipped = defineEvent(
  'order.shipped',
  1,
  Type.Object({ orderId: OrderId, userId: UserId, at: At }),
)

/* ---------- Refunds and returns (issue 19; docs/checkout.md, "Refunds and returns") ---------- */

const RefundedLine = Type.Object({
  productId: Type.String({ minLength: 1 }),
  /** Absent: the product's first variant. */
  variantId: Type.Optional(Type.String({ minLength: 1 })),
  quantity: Type.Integer({ minimum: 1 }),
  /** The share of the payment these units get back. */
  amount: Money,
})

/**
 * Staff (or a received return) asked for part of the order's payment back: payments refunds
 * `amount` of the captured payment, once per `refundId`, and answers `payment.refunded` with that
 * `refundId` (or `payment.refund-failed`).
 */
export const OrderRefundRequested = defineEvent(
  'order.refund-requested',
  1,
  Type.Object({
    refundId: Type.String({ minLength: 1, maxLength: 64 }),
    orderId: OrderId,
    userId: UserId,
    amount: Money,
    lines: Type.Optional(Type.Array(RefundedLine)),
    reason: Type.Optional(Type.String()),
    /** The return whose received lines are refunded. */
    returnId: Type.Optional(Type.String()),
    at: Type.String({ format: 'date-time' }),
  }),
)

const ReturnLineData = Type.Object({
  productId: Type.String({ minLength: 1 }),
  /** Absent: the product's first variant. */
  variantId: Type.Optional(Type.String({ minLength: 1 })),
  quantity: Type.Integer({ minimum: 1 }),
})

const ReturnCommon = {
  returnId: Type.String({ minLength: 1, maxLength: 64 }),
  orderId: OrderId,
  userId: UserId,
  at: Type.String({ format: 'date-time' }),
}

/** A return of lines of a shipped order was asked for; it is awaited until `deadlineAt`. */
export const ReturnRequested = defineEvent(
  'return.requested',
  1,
  Type.Object({
    ...ReturnCommon,
    lines: Type.Array(ReturnLineData),
    reason: Type.String(),
    deadlineAt: Type.String({ format: 'date-time' }),
  }),
)

/**
 * Staff received the return's parcel: `lines` came back (catalog puts the units of the `restock`
 * ones back on sale, once per return); their refund is `refundId` (absent: nothing was left to
 * refund).
 */
export const ReturnReceived = defineEvent(
  'return.received',
  1,
  Type.Object({
    ...ReturnCommon,
    lines: Type.Array(
      Type.Object({
        ...ReturnLineData.properties,
        quantity: Type.Integer({ minimum: 0 }),
        restock: Type.Boolean(),
      }),
    ),
    refundId: Type.Optional(Type.String()),
    refundAmount: Type.Optional(Money),
  }),
)

/** The received return's refund landed. */
export const ReturnRefunded = defineEvent(
  'return.refunded',
  1,
  Type.Object({ ...ReturnCommon, refundId: Type.Optional(Type.String()), amount: Money }),
)

/** Staff rejected the return (nothing is refunded). */
export const ReturnRejected = defineEvent(
  'return.rejected',
  1,
  Type.Object({ ...ReturnCommon, reason: Type.Optional(Type.String()) }),
)

/** The return was not received by its deadline. */
export const ReturnExpired = defineEvent('return.expired', 1, Type.Object(ReturnCommon))
