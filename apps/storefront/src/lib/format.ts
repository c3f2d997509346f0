import type { Money, Order, OrderStatus } from '@emporium/sdk'
import { shopperCancellation } from './cancellation'

const formatters = new Map<string, Intl.NumberFormat>()

/** Minor units of a currency (2 for USD, 0 for JPY). */
export function currencyDigits(currency: string): number {
  return formatter(currency).resolvedOptions().maximumFractionDigits ?? 2
}

function formatter(currency: string): Intl.NumberFormat {
  let format = formatters.get(currency)
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency })
    formatters.set(currency, format)
  }
  return format
}

/** `{amount: 1999, currency: 'USD'}` → `$19.99`. */
export function formatMoney(money: Money): string {
  return formatter(money.currency).format(money.amount / 10 ** currencyDigits(money.currency))
}

/** A price typed by a person (`19.99`) in minor units, or undefined when it is not a price. */
export function parsePrice(text: string, currency = 'USD'): number | undefined {
  const trimmed = text.trim()
  if (!/^\d+([.,]\d{0,2})?$/.test(trimmed)) return undefined
  return Math.round(Number(trimmed.replace(',', '.')) * 10 ** currencyDigits(currency))
}

/** Minor units back to the text a price field shows. */
export const priceText = (money: Money) =>
  (money.amount / 10 ** currencyDigits(money.currency)).toFixed(currencyDigits(money.currency))

/** The statuses by name, as the back office shows them. */
export const statusWords: Record<OrderStatus, string> = {
  pending: 'Pending',
  awaiting_payment: 'Awaiting payment',
  payment_failed: 'Payment failed',
  confirmed: 'Confirmed',
  shipped: 'Shipped',
  cancelled: 'Cancelled',
}

/**
 * The statuses as a shopper reads them: a failed payment asks them to act (pay with another
 * card or cancel), where the back office only names the state.
 */
export const shopperStatusWords: Record<OrderStatus, string> = {
  ...statusWords,
  payment_failed: 'Payment failed — action needed',
}

/**
 * Why the last payment attempt failed (an order's `lastPaymentError`), in a shopper's words:
 * the card was refused, or the payment could not be completed at all.
 */
export const paymentErrorWords = (code: string | undefined) =>
  code === 'payment_declined'
    ? 'Your card was declined. No money was taken.'
    : 'The payment could not be completed. No money was taken.'

/**
 * A moment in the shopper's own language and time zone (`locale` undefined: the browser's), as
 * the deadline of a held order is told.
 */
export const formatLocalDate = (iso: string, locale?: string, timeZone?: string) =>
  new Date(iso).toLocaleString(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    ...(timeZone ? { timeZone } : {}),
  })

/**
 * How long a `payment_failed` order is still held for the shopper to pay it (its
 * `paymentDueBy`): milliseconds left (0 once it has passed), or undefined when the order says no
 * deadline. Past it the order can no longer be paid: the shop cancels it and releases its stock.
 */
export function holdLeft(
  order: { paymentDueBy?: string | undefined },
  now: number,
): number | undefined {
  if (!order.paymentDueBy) return undefined
  const due = Date.parse(order.paymentDueBy)
  return Number.isNaN(due) ? undefined : Math.max(0, due - now)
}

/** A cancellation reason code in a shopper's words (lib/cancellation.ts has staff's too). */
export const reasonWords = (code: string | null) => shopperCancellation(code)

export const formatDate = (iso: string) =>
  new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' })

/**
 * The payment of an order in a shopper's words. The order's own status decides what a payment
 * still on its way means: a capture on a cancelled order is a refund under way (payments refunds
 * it and the order hears `payment.refunded` a little later), a decline on an order the shopper
 * or the shop cancelled is a hold released (a void), not a refused card.
 */
export function paymentWords(
  payment: NonNullable<Order['payment']>,
  order: Pick<Order, 'status' | 'cancellationReason'>,
): string {
  const cancelled = order.status === 'cancelled'
  switch (payment.status) {
    case 'authorized':
      return cancelled ? 'not charged; the hold is being released' : 'authorized, not charged yet'
    case 'captured':
      return cancelled ? 'charged; refund under way' : 'charged'
    case 'refunded':
      return 'refunded'
    case 'declined':
      return cancelled && !declinedReasons.has(order.cancellationReason ?? '')
        ? 'not charged; the hold was released'
        : 'declined, not charged'
    case 'failed':
      return 'not charged (the payment could not be processed)'
    default:
      return payment.status.replace(/_/g, ' ')
  }
}

/** Cancellation reasons that mean the card itself was refused. */
const declinedReasons = new Set(['payment_declined', 'card_declined', 'insufficient_funds'])

/**
 * Whether the payment of an order is still moving (a refund or a release under way) and the
 * page should read the order again until it settles.
 */
export const paymentSettling = (order: Pick<Order, 'status' | 'payment'>) =>
  order.status === 'cancelled' &&
  (order.payment?.status === 'captured' || order.payment?.status === 'authorized')
