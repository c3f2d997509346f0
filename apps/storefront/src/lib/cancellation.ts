/**
 * Why an order was cancelled, in two voices: staff read what happened and who did it (the
 * back office), a shopper reads what it means for them (the storefront). Issue 19: the back
 * office used to say "You cancelled this order." to staff. The codes are the order's
 * `cancellationReason`: the checkout's own (payment, stock, holds), the shopper's and staff's
 * cancels (`customer_cancelled`, `admin_cancelled`), and the reasons staff pick since issue 19.
 */
/** The reasons staff pick when they cancel an order (`POST /orders/{id}/cancel`). */
export const staffCancelReasons = [
  'customer_request',
  'out_of_stock',
  'fraud_suspected',
  'other',
] as const
export type StaffCancelReason = (typeof staffCancelReasons)[number]

/** A staff reason as the cancel form's choice reads. */
export const staffReasonLabels: Record<StaffCancelReason, string> = {
  customer_request: 'The customer asked',
  out_of_stock: 'Out of stock',
  fraud_suspected: 'Fraud suspected',
  other: 'Other (say why in the note)',
}

interface Wording {
  staff: string
  shopper: string
}

const declined: Wording = {
  staff: 'The card was declined; nothing was charged.',
  shopper: 'Your payment was declined. No money was taken.',
}

const shopCancelled = 'The shop cancelled this order.'

const wordings: Record<string, Wording> = {
  customer_cancelled: {
    staff: 'The customer cancelled this order.',
    shopper: 'You cancelled this order.',
  },
  admin_cancelled: { staff: 'Cancelled by staff.', shopper: shopCancelled },
  customer_request: {
    staff: "Cancelled by staff at the customer's request.",
    shopper: 'The shop cancelled this order at your request.',
  },
  out_of_stock: {
    staff: 'Cancelled: items out of stock.',
    shopper: 'Some items were out of stock.',
  },
  // The shopper is never told of a suspicion: the shop cancelled it, no more.
  fraud_suspected: { staff: 'Cancelled by staff: fraud suspected.', shopper: shopCancelled },
  other: { staff: 'Cancelled by staff (other reason).', shopper: shopCancelled },
  payment_declined: declined,
  card_declined: declined,
  insufficient_funds: declined,
  payment_failed: {
    staff: 'The payment could not be processed; nothing was charged.',
    shopper: 'The payment could not be processed. No money was taken.',
  },
  stock_timeout: {
    staff: 'Stock was not confirmed in time.',
    shopper: 'We could not confirm stock in time.',
  },
  payment_timeout: {
    staff: 'The payment was not confirmed in time; any charge is refunded.',
    shopper: 'The payment took too long to confirm; any charge is refunded.',
  },
  reservation_expired: {
    staff: 'Not paid before its hold ran out; the stock was released.',
    shopper: 'The items were held too long and released.',
  },
}

const unknownWords = (code: string) => `Cancelled (${code.replace(/_/g, ' ')}).`

/**
 * The back office's words for a cancellation, with the staff note after them when there is one
 * (notes are written by staff for staff).
 */
export function staffCancellation(code: string | null | undefined, note?: string | null): string {
  const words = code ? (wordings[code]?.staff ?? unknownWords(code)) : 'Cancelled.'
  const said = note?.trim()
  return said ? `${words} Note: ${said}` : words
}

/**
 * The storefront's words for a cancellation. A staff note is never shown to the shopper: it may
 * say what the shop keeps to itself (a suspicion of fraud).
 */
export function shopperCancellation(code: string | null | undefined): string {
  return code ? (wordings[code]?.shopper ?? unknownWords(code)) : 'Cancelled.'
}
