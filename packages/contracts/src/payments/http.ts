import Type from 'typebox'
import { Money } from '../money.js'
import { CursorParam, Id } from '../text.js'
import { CardInput } from '../orders/http.js'

/*
 * The payments service's HTTP API: `GET /payments` is public (API.md, through the gateway);
 * `/internal/*` is for the orders service only (not in the gateway's table).
 */

/** Payment statuses (API.md). */
export const PaymentStatus = Type.Union(
  [
    Type.Literal('authorized'),
    Type.Literal('captured'),
    Type.Literal('declined'),
    Type.Literal('refunded'),
    Type.Literal('failed'),
  ],
  { description: 'authorized, captured, declined, refunded or failed.' },
)
export type PaymentStatus = Type.Static<typeof PaymentStatus>

/** A payment (API.md). */
export const Payment = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  status: PaymentStatus,
  amount: Money,
  last4: Type.String({ pattern: '^[0-9]{4}$' }),
  /** Card brand (`visa`, `mastercard`, ...). */
  brand: Type.Optional(Type.String()),
  /** Why it was declined or failed (`card_declined`, `insufficient_funds`, ...). */
  declineReason: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  /** The order's payment attempt it charged (1, then one more per retry with another card). */
  attempt: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: "The order's payment attempt: 1, then one more per retry after a decline.",
    }),
  ),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
})
export type Payment = Type.Static<typeof Payment>

/** Query of `GET /payments`. */
export const ListPaymentsQuery = Type.Object(
  {
    orderId: Type.Optional(Id({ description: 'Only the payments of this order.' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type ListPaymentsQuery = Type.Static<typeof ListPaymentsQuery>

/** A page of payments, newest first. */
export const PaymentPage = Type.Object({
  items: Type.Array(Payment),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type PaymentPage = Type.Static<typeof PaymentPage>

/** Body of `POST /internal/payment-methods` (orders, at placement): tokenize a card. */
export const TokenizeCardBody = Type.Object(
  { userId: Id({ description: 'The account the card is for.' }), card: CardInput },
  { additionalProperties: false },
)
export type TokenizeCardBody = Type.Static<typeof TokenizeCardBody>

/** Response of `POST /internal/payment-methods`: what orders may keep of a card. */
export const PaymentMethod = Type.Object({
  paymentMethodId: Type.String(),
  last4: Type.String({ pattern: '^[0-9]{4}$' }),
  brand: Type.String(),
})
export type PaymentMethod = Type.Static<typeof PaymentMethod>

/**
 * Response of `GET /payments/reconciliation` (admin): the ledger's sums per currency. Captured
 * minus refunded must equal the totals of the confirmed and shipped orders.
 */
export const Reconciliation = Type.Object({
  currencies: Type.Array(
    Type.Object({
      currency: Type.String(),
      authorized: Type.Integer(),
      captured: Type.Integer(),
      refunded: Type.Integer(),
      /** captured − refunded. */
      net: Type.Integer(),
    }),
  ),
  /** Orders with more than one capture (must be empty). */
  doubleCaptures: Type.Array(Type.String()),
})
export type Reconciliation = Type.Static<typeof Reconciliation>
