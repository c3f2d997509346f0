import Type from 'typebox'
import { ShippingAddress } from '../address.js'
import { Money } from '../money.js'
import { CursorParam, DateTimeParam, Id as IdOf, Text } from '../text.js'
import { Refund } from './refunds.js'

/*
 * The orders service's HTTP API (API.md, "Orders and payments"). The service mounts these routes
 * at its root (`/orders`, `/orders/{id}`, ...); the gateway serves them under `/api/v1`. The
 * order status stream (`GET /orders/{id}/events`) is served by the notifications service.
 */

const Id = IdOf()

/** Order statuses (API.md): `confirmed`, `shipped` and `cancelled` are the ends. */
export const OrderStatus = Type.Union(
  [
    Type.Literal('pending'),
    Type.Literal('awaiting_payment'),
    Type.Literal('payment_failed'),
    Type.Literal('confirmed'),
    Type.Literal('shipped'),
    Type.Literal('cancelled'),
  ],
  {
    description:
      'pending → awaiting_payment → confirmed → shipped, or cancelled. A declined payment leaves ' +
      'the order payment_failed (stock held until paymentDueBy); a new payment attempt takes it ' +
      'back to awaiting_payment.',
  },
)
export type OrderStatus = Type.Static<typeof OrderStatus>

/**
 * The outcomes of checkout: a placed order always reaches one of them, however services fail.
 * Not `payment_failed`: it waits for another card, and its payment deadline ends it.
 */
export const finalOrderStatuses: readonly OrderStatus[] = ['confirmed', 'shipped', 'cancelled']

/**
 * The statuses nothing follows: the status stream ends after one of them. Not `confirmed`: a
 * confirmed order still ships or is cancelled (and refunded), and a shopper watching it live
 * sees that too.
 */
export const terminalOrderStatuses: readonly OrderStatus[] = ['shipped', 'cancelled']

/**
 * Why an order was cancelled (a stable code the storefront turns into words):
 * `out_of_stock`, `payment_declined` (the card was declined; which decline it was is shown to
 * admins only, as the order's `declineReason`), `card_declined` and `insufficient_funds` (orders
 * cancelled before that rule), `payment_failed` (the provider kept
 * failing), `stock_timeout` / `payment_timeout` (a saga step heard nothing by its deadline),
 * `reservation_expired`, `customer_cancelled`, `admin_cancelled`.
 */
export const CancellationReason = Type.String({
  minLength: 1,
  maxLength: 64,
  description:
    'out_of_stock, payment_declined, payment_failed, stock_timeout, ' +
    'payment_timeout, reservation_expired, customer_cancelled or admin_cancelled.',
})

/** A shipping address (shared with the address book of the users service). */
export { ShippingAddress } from '../address.js'

/** Card data: passed through to the payments service, never stored or logged in full. */
export const CardInput = Type.Object(
  {
    cardNumber: Type.String({ pattern: '^[0-9]{12,19}$', description: '12 to 19 digits.' }),
    expMonth: Type.Integer({ minimum: 1, maximum: 12 }),
    expYear: Type.Integer({ minimum: 2000, maximum: 2200 }),
    cvc: Type.String({ pattern: '^[0-9]{3,4}$' }),
  },
  { additionalProperties: false },
)
export type CardInput = Type.Static<typeof CardInput>

/** A shipping method's id, as the shipping service's quotes name it. */
const ShippingMethodId = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9_-]+$',
  description: "A method of the shipping service's quotes (POST /shipping/quotes).",
})

/** A promotion code as a shopper types it (matched case-insensitively). */
export const PromotionCode = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[A-Za-z0-9_-]+$',
  description: 'A promotion code, matched case-insensitively.',
})

/** A guest's e-mail address (the order's only contact: its link is sent there). */
const GuestEmail = Type.String({
  minLength: 3,
  maxLength: 254,
  pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
  description: "A guest's e-mail address: required when the caller is a guest (a cart token).",
})

/** Body of `POST /orders` (with an `Idempotency-Key` header). */
export const PlaceOrderBody = Type.Object(
  {
    shippingAddress: ShippingAddress,
    payment: CardInput,
    /**
     * The shipping method chosen (issue 18); absent: the cheapest the destination is offered,
     * or free shipping where the shop ships nothing by method.
     */
    shippingMethodId: Type.Optional(ShippingMethodId),
    /** A promotion code; its use is reserved with the order and spent when it confirms. */
    promotionCode: Type.Optional(PromotionCode),
    /** Required of a guest (a cart token): where the order's link is sent. */
    email: Type.Optional(GuestEmail),
  },
  { additionalProperties: false },
)
export type PlaceOrderBody = Type.Static<typeof PlaceOrderBody>

/** Body of `POST /orders/{id}/payment-attempts` (with an `Idempotency-Key` header). */
export const PaymentAttemptBody = Type.Object(
  { payment: CardInput },
  { additionalProperties: false },
)
export type PaymentAttemptBody = Type.Static<typeof PaymentAttemptBody>

/** One line of an order: the name and price the catalog confirmed when it was placed. */
export const OrderItem = Type.Object({
  productId: Type.String(),
  /** The variant bought (the product's own id for a product without options). */
  variantId: Type.Optional(
    Type.String({ description: "The variant bought (the product's id without options)." }),
  ),
  /** The variant's option values for display (`M / Blue`); absent for a product without options. */
  variantLabel: Type.Optional(
    Type.String({ description: "The variant's option values (M / Blue); absent without options." }),
  ),
  name: Type.String(),
  unitPrice: Money,
  quantity: Type.Integer({ minimum: 1 }),
  lineTotal: Money,
  /** The line's share of the order's discount (issue 18). */
  discount: Type.Optional(Money),
  /** The line's tax: added to it, or included in it when `taxInclusive` (issue 18). */
  tax: Type.Optional(Money),
  /** The tax rate applied, in basis points (2000 = 20 %). */
  taxRateBasisPoints: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
})
export type OrderItem = Type.Static<typeof OrderItem>

/** The payment as the order knows it (from the payments service's events). */
export const OrderPayment = Type.Object({
  /** authorized, captured, declined, refunded or failed. */
  status: Type.String({ description: 'authorized, captured, declined, refunded or failed.' }),
  last4: Type.String({ pattern: '^[0-9]{4}$' }),
})

/** The shipping method of an order, and its price. */
export const OrderShippingMethod = Type.Object({
  id: Type.String(),
  name: Type.String(),
  carrier: Type.String(),
  price: Money,
})

/** A shipment of some of an order's lines (the shipping service's). */
export const OrderShipment = Type.Object({
  id: Type.String(),
  carrier: Type.String(),
  trackingNumber: Type.String(),
  status: Type.String({ description: 'shipped or delivered.' }),
  items: Type.Array(
    Type.Object({
      productId: Type.String(),
      variantId: Type.String(),
      quantity: Type.Integer({ minimum: 1 }),
    }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
})

/** An order (API.md). */
export const Order = Type.Object({
  id: Type.String(),
  status: OrderStatus,
  items: Type.Array(OrderItem),
  /**
   * What the order costs (docs/checkout.md, "Totals and rounding"): subtotal − discount +
   * shipping + tax; subtotal − discount + shipping when `taxInclusive`. The payment's amount.
   */
  total: Money,
  /** The lines' totals before the discount (issue 18; the total for orders placed before). */
  subtotal: Type.Optional(Money),
  discount: Type.Optional(Money),
  shipping: Type.Optional(Money),
  /** Tax added on top, or the tax included in the prices when `taxInclusive`. */
  tax: Type.Optional(Money),
  taxInclusive: Type.Optional(Type.Boolean()),
  shippingMethod: Type.Optional(Type.Union([OrderShippingMethod, Type.Null()])),
  promotionCode: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** A guest's order: the e-mail address it was placed with. */
  email: Type.Optional(Type.String()),
  /** The shipments of its lines so far; the order is `shipped` once they hold every line. */
  shipments: Type.Optional(Type.Array(OrderShipment)),
  /** Refunds of part (or all) of its payment, oldest first (issue 19). */
  refunds: Type.Optional(Type.Array(Refund)),
  /** What its refunds gave back so far (refunds still `requested` not counted). */
  refundedAmount: Type.Optional(Money),
  shippingAddress: ShippingAddress,
  payment: Type.Union([OrderPayment, Type.Null()]),
  cancellationReason: Type.Union([CancellationReason, Type.Null()]),
  /**
   * Admins only: why the payment was declined or failed, as the provider said (`card_declined`,
   * `insufficient_funds`, `provider_error`, ...). Never shown to the shopper, who sees the
   * generic `payment_declined`: telling a card tester which decline it was helps them.
   */
  declineReason: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        "Admins only: the provider's precise reason for a declined or failed payment " +
        '(card_declined, insufficient_funds, provider_error, ...).',
    }),
  ),
  /**
   * The payment attempt (1 at placement, one more per retry after a decline); present once
   * payment was requested.
   */
  paymentAttempt: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'The payment attempt: 1 at placement, one more per retry after a decline.',
    }),
  ),
  /**
   * Until when the order may be paid (retries included) while it is `awaiting_payment` or
   * `payment_failed`; a `payment_failed` order is cancelled then and its stock released.
   */
  paymentDueBy: Type.Optional(
    Type.String({
      format: 'date-time',
      description:
        'While awaiting_payment or payment_failed: until when the order may be paid (retries ' +
        'included); a payment_failed order is cancelled then.',
    }),
  ),
  /**
   * While `payment_failed`: why the last attempt failed, in the generic words a shopper gets:
   * `payment_declined` (the card was refused: try another) or `payment_failed` (the provider
   * could not be reached: the same card may work). The precise reason is `declineReason`.
   */
  lastPaymentError: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        'While payment_failed: payment_declined (the card was refused) or payment_failed ' +
        '(the provider kept failing).',
    }),
  ),
  /** The human order number (1001, 1002, …): unique, in the order orders were placed (issue 19). */
  number: Type.Optional(
    Type.Integer({ minimum: 1, description: 'The human order number (1001, 1002, …).' }),
  ),
  /**
   * The customer's e-mail, lower-cased: a guest's own; an account's as the orders service heard
   * it from the users service (absent until then, and for older accounts' orders).
   */
  customerEmail: Type.Optional(
    Type.String({ description: "The customer's e-mail, lower-cased (issue 19)." }),
  ),
  /** Staff only (orders.read): the note staff wrote when cancelling the order. */
  cancellationNote: Type.Optional(
    Type.String({ description: 'Staff only: the note staff wrote when cancelling the order.' }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type Order = Type.Static<typeof Order>

/** Query of `GET /orders`. */
export const ListOrdersQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
    /** Admins only: everyone's orders. */
    all: Type.Optional(Type.Boolean({ description: "Admins only: everyone's orders." })),
    /** Only orders in this status. */
    status: Type.Optional(OrderStatus),
    /** The order with this number (issue 19's search; the filters combine with AND). */
    number: Type.Optional(Type.Integer({ minimum: 1, maximum: 9_007_199_254_740_991 })),
    /** Orders whose customer e-mail starts with this, case-insensitively. */
    email: Type.Optional(
      Text({
        minLength: 1,
        maxLength: 254,
        description: 'Orders whose customer e-mail starts with this (case-insensitive).',
      }),
    ),
    /** Placed at or after this instant (RFC 3339). */
    from: Type.Optional(DateTimeParam({ description: 'Placed at or after (RFC 3339).' })),
    /** Placed before this instant (RFC 3339); after `from`. */
    to: Type.Optional(DateTimeParam({ description: 'Placed before (RFC 3339).' })),
    /** Totals at least this, in minor units. */
    minTotal: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 9_007_199_254_740_991, description: 'Minor units.' }),
    ),
    /** Totals at most this, in minor units. */
    maxTotal: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 9_007_199_254_740_991, description: 'Minor units.' }),
    ),
    /** Staff (with all=true): only this customer's orders (the account's or guest's user id). */
    customerId: Type.Optional(Id),
  },
  { additionalProperties: false },
)
export type ListOrdersQuery = Type.Static<typeof ListOrdersQuery>

/** A page of orders, newest first. */
export const OrderPage = Type.Object({
  items: Type.Array(Order),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type OrderPage = Type.Static<typeof OrderPage>

/** Path parameters of `/orders/{id}...`. */
export const OrderParams = Type.Object({ id: Id })
export type OrderParams = Type.Static<typeof OrderParams>

/** Every order status, for patterns that list them. */
const orderStatusNames = OrderStatus.anyOf.map((literal) => literal.const as string)
const statusName = `(?:${orderStatusNames.join('|')})`

/**
 * Query of `GET /orders/{id}/events`. `until`: statuses after which the stream ends too (a
 * client that only waits for the checkout's outcome asks `until=confirmed,payment_failed`), so
 * the server ends the response and its connection stays open for the next request; without it
 * the stream ends after shipped or cancelled only.
 */
export const OrderEventsQuery = Type.Object({
  until: Type.Optional(
    Type.String({
      pattern: `^${statusName}(?:,${statusName}){0,5}$`,
      maxLength: 100,
      description:
        'Comma-separated order statuses: the stream also ends after an event of one of them ' +
        '(e.g. `confirmed,payment_failed`). It always ends after shipped or cancelled.',
      examples: ['confirmed,payment_failed'],
    }),
  ),
})
export type OrderEventsQuery = Type.Static<typeof OrderEventsQuery>

/** The statuses an `until` names (validated by OrderEventsQuery's pattern). */
export function untilStatuses(until: string | undefined): ReadonlySet<OrderStatus> {
  return new Set(until === undefined ? [] : (until.split(',') as OrderStatus[]))
}

/**
 * One server-sent event of `GET /orders/{id}/events` (event name `status`): the order's status
 * when the stream opens, then one per change; the stream ends after a final status.
 */
export const OrderStatusEvent = Type.Object({
  orderId: Type.String(),
  status: OrderStatus,
  cancellationReason: Type.Union([CancellationReason, Type.Null()]),
  /** When the order entered this status. */
  at: Type.String({ format: 'date-time' }),
})
export type OrderStatusEvent = Type.Static<typeof OrderStatusEvent>

/** Body of `POST /orders/quote`: what the checkout would cost, the caller's cart as it is. */
export const QuoteBody = Type.Object(
  {
    shippingAddress: Type.Optional(ShippingAddress),
    /** Or only where it goes, before the address is typed. */
    destination: Type.Optional(
      Type.Object(
        {
          country: Type.String({ pattern: '^[A-Za-z]{2}$' }),
          region: Type.Optional(Text({ minLength: 1, maxLength: 100 })),
          postalCode: Type.Optional(Text({ minLength: 1, maxLength: 20 })),
        },
        { additionalProperties: false },
      ),
    ),
    shippingMethodId: Type.Optional(ShippingMethodId),
    promotionCode: Type.Optional(PromotionCode),
  },
  { additionalProperties: false },
)
export type QuoteBody = Type.Static<typeof QuoteBody>

/** One shipping method the destination is offered, priced for this cart. */
export const ShippingOption = Type.Object({
  methodId: Type.String(),
  name: Type.String(),
  carrier: Type.String(),
  price: Money,
  estimatedDays: Type.Optional(
    Type.Object({ min: Type.Integer({ minimum: 0 }), max: Type.Integer({ minimum: 0 }) }),
  ),
})

/** The answer of `POST /orders/quote`: the order's totals as placing it now would make them. */
export const Quote = Type.Object({
  items: Type.Array(OrderItem),
  subtotal: Money,
  discount: Money,
  shipping: Money,
  tax: Money,
  total: Money,
  taxInclusive: Type.Boolean(),
  shippingOptions: Type.Array(ShippingOption),
  shippingMethod: Type.Union([OrderShippingMethod, Type.Null()]),
  promotionCode: Type.Union([Type.String(), Type.Null()]),
})
export type Quote = Type.Static<typeof Quote>
