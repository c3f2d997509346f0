import Type from 'typebox'
import { MultilineText } from '../text.js'

/*
 * The staff's side of orders (issue 19): internal notes and cancellation with a reason. The
 * order search is `GET /orders?all=true&...` (ListOrdersQuery in http.ts).
 */

/**
 * Why staff cancelled an order, as they pick it in the back office; it becomes the order's
 * `cancellationReason` (without one, a staff cancel is `admin_cancelled` as before).
 */
export const staffCancellationReasons = [
  'customer_request',
  'out_of_stock',
  'fraud_suspected',
  'other',
] as const
export type StaffCancellationReason = (typeof staffCancellationReasons)[number]
export const StaffCancellationReason = Type.Union(
  staffCancellationReasons.map((r) => Type.Literal(r)),
  { description: 'customer_request, out_of_stock, fraud_suspected or other.' },
)

/**
 * Body of `POST /orders/{id}/cancel` (optional). `reason` and `note` are staff's (orders.manage):
 * a shopper cancelling their own order sends no body, or an empty one.
 */
export const CancelOrderBody = Type.Object(
  {
    /** Staff only: why the order is cancelled (the order's `cancellationReason`). */
    reason: Type.Optional(StaffCancellationReason),
    /** Staff only: a note on the cancellation (the order's `cancellationNote`, shown to staff). */
    note: Type.Optional(
      MultilineText({
        minLength: 1,
        maxLength: 1000,
        description: 'Staff only: a note on the cancellation (shown to staff, not the shopper).',
      }),
    ),
  },
  { additionalProperties: false },
)
export type CancelOrderBody = Type.Static<typeof CancelOrderBody>

/** Body of `POST /orders/{id}/notes`. */
export const AddOrderNoteBody = Type.Object(
  {
    /** The note: 1 to 2000 characters (line breaks allowed). */
    text: MultilineText({ minLength: 1, maxLength: 2000, description: 'The note.' }),
  },
  { additionalProperties: false },
)
export type AddOrderNoteBody = Type.Static<typeof AddOrderNoteBody>

/** A staff member's internal note on an order: never shown to the shopper. */
export const OrderNote = Type.Object({
  id: Type.String(),
  text: Type.String(),
  /** Who wrote it. */
  author: Type.Object({ userId: Type.String() }),
  createdAt: Type.String({ format: 'date-time' }),
})
export type OrderNote = Type.Static<typeof OrderNote>

/** `GET /orders/{id}/notes`: the order's notes, oldest first. */
export const OrderNoteList = Type.Object({ items: Type.Array(OrderNote) })
export type OrderNoteList = Type.Static<typeof OrderNoteList>
