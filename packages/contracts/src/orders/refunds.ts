import Type from 'typebox'
import { Money } from '../money.js'
import { Id as IdOf, Text } from '../text.js'

/*
 * Refunds and returns of an order (issue 19; docs/checkout.md, "Refunds and returns"). Staff
 * refund part of a confirmed or shipped order by amount or by lines; a shopper (or staff) asks to
 * return lines of a shipped order, staff receive (and maybe restock) or reject them, and the
 * received lines are refunded through the same refund path.
 */

const Id = IdOf()

/** Units of one line of the order: a variant (the product's first when absent) and a quantity. */
export const RefundLineInput = Type.Object(
  {
    productId: Id,
    /** The variant; absent: the product's first variant (whose id is the product's). */
    variantId: Type.Optional(Id),
    quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
  },
  { additionalProperties: false },
)

/**
 * `POST /orders/{id}/refunds`: exactly one of `amount` (any part of what was paid, shipping
 * included) or `lines` (each line's paid share: its price less its share of the discount, plus
 * its tax where added on top).
 */
export const CreateRefundBody = Type.Object(
  {
    /** An amount in the order's currency, at least 1 minor unit. */
    amount: Type.Optional(Money),
    /** Units of the order's lines. */
    lines: Type.Optional(Type.Array(RefundLineInput, { minItems: 1, maxItems: 100 })),
    /** Why, in the staff's words (kept with the refund, shown to staff). */
    reason: Type.Optional(Text({ maxLength: 500 })),
  },
  { additionalProperties: false },
)
export type CreateRefundBody = Type.Static<typeof CreateRefundBody>

/** A refunded line: its units and the share of the payment they get back. */
export const RefundLine = Type.Object({
  productId: Type.String(),
  variantId: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  amount: Money,
})

/** Refund statuses: `requested` until the payment provider gave the money back. */
export const RefundStatus = Type.Union(
  [Type.Literal('requested'), Type.Literal('refunded'), Type.Literal('failed')],
  {
    description:
      'requested (payments is refunding it), refunded (the provider gave the money back) or ' +
      'failed (the payment could not be refunded: it was refunded in full meanwhile).',
  },
)

/** A refund of part (or all) of an order's payment. */
export const Refund = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  amount: Money,
  status: RefundStatus,
  /** The lines refunded, for a refund by lines (a return's refund too). */
  lines: Type.Optional(Type.Array(RefundLine)),
  reason: Type.Optional(Type.String()),
  /** The return whose received lines this refund pays back. */
  returnId: Type.Optional(Type.String()),
  /** Why it failed (`payment_not_refundable`, ...). */
  failureReason: Type.Optional(Type.String()),
  /** The failed refund this one retries (`POST /orders/{id}/refunds/{refundId}/retry`). */
  retryOf: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  /** When the provider gave the money back. */
  refundedAt: Type.Optional(Type.String({ format: 'date-time' })),
})
export type Refund = Type.Static<typeof Refund>

/** `POST /orders/{id}/returns`: the lines to send back and why. */
export const CreateReturnBody = Type.Object(
  {
    lines: Type.Array(RefundLineInput, { minItems: 1, maxItems: 100 }),
    reason: Text({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)
export type CreateReturnBody = Type.Static<typeof CreateReturnBody>

/** `POST /orders/{id}/returns/{returnId}/receive`: what came back, and whether it is restocked. */
export const ReceiveReturnBody = Type.Object(
  {
    lines: Type.Array(
      Type.Object(
        {
          ...RefundLineInput.properties,
          /** Whether the units go back on sale (catalog adds them to the stock). */
          restock: Type.Boolean(),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 100 },
    ),
  },
  { additionalProperties: false },
)
export type ReceiveReturnBody = Type.Static<typeof ReceiveReturnBody>

/** `POST /orders/{id}/returns/{returnId}/reject`. */
export const RejectReturnBody = Type.Object(
  { reason: Type.Optional(Text({ maxLength: 500 })) },
  { additionalProperties: false },
)
export type RejectReturnBody = Type.Static<typeof RejectReturnBody>

/** Return statuses. */
export const ReturnStatus = Type.Union(
  [
    Type.Literal('requested'),
    Type.Literal('received'),
    Type.Literal('refunded'),
    Type.Literal('rejected'),
    Type.Literal('expired'),
  ],
  {
    description:
      'requested → received (staff got the parcel) → refunded (its refund landed); requested → ' +
      'rejected (staff) or expired (not received by deadlineAt).',
  },
)

/** A line of a return: asked for, and once received what came back. */
export const ReturnLine = Type.Object({
  productId: Type.String(),
  variantId: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  /** Units received (0 to quantity); present once received. */
  receivedQuantity: Type.Optional(Type.Integer({ minimum: 0 })),
  /** Whether the received units were restocked. */
  restock: Type.Optional(Type.Boolean()),
})

/** A return of lines of a shipped order. */
export const Return = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  status: ReturnStatus,
  lines: Type.Array(ReturnLine),
  reason: Type.String(),
  /** Staff's reason for a rejection. */
  rejectionReason: Type.Optional(Type.String()),
  /** The refund of the received lines. */
  refundId: Type.Optional(Type.String()),
  /** Until when the parcel is awaited; a return still requested then expires. */
  deadlineAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
})
export type Return = Type.Static<typeof Return>

export const ReturnList = Type.Object({ items: Type.Array(Return) })
export type ReturnList = Type.Static<typeof ReturnList>

export const ReturnParams = Type.Object({ id: Id, returnId: Id })

export const RefundParams = Type.Object({ id: Id, refundId: Id })
