/*
 * What the shopper is told, as plain-text e-mails. Pure: the consumers render a message when the
 * event arrives and store it; the dispatcher only sends what is stored.
 */

export interface Money {
  amount: number
  currency: string
}

export interface Line {
  name: string
  /** The variant's option values (`M / Blue`), when the product has options. */
  variantLabel?: string
  unitPrice: Money
  quantity: number
}

/** The kinds of message; one message per event and template at most. */
export const Template = {
  orderConfirmed: 'order_confirmed',
  orderCancelled: 'order_cancelled',
  orderShipped: 'order_shipped',
  paymentRefunded: 'payment_refunded',
  emailVerification: 'email_verification',
  passwordReset: 'password_reset',
} as const
export type Template = (typeof Template)[keyof typeof Template]

export interface RenderedMessage {
  template: Template
  subject: string
  text: string
}

/** `$19.99`, `¥1,200`: minor units shown with the currency's own number of decimals. */
export function formatMoney(money: Money): string {
  const format = currencyFormat(money.currency)
  if (!format) return `${(money.amount / 100).toFixed(2)} ${money.currency}`
  return format.format.format(money.amount / 10 ** format.digits)
}

// Building a NumberFormat costs far more than using one: one per currency, kept (a currency code
// that Intl refuses is remembered as such; there are few currencies, so the map stays small).
const formats = new Map<string, { format: Intl.NumberFormat; digits: number } | null>()

function currencyFormat(currency: string) {
  let cached = formats.get(currency)
  if (cached === undefined) {
    try {
      const format = new Intl.NumberFormat('en-US', { style: 'currency', currency })
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2
      cached = { format, digits }
    } catch {
      cached = null
    }
    if (formats.size < 1000) formats.set(currency, cached)
  }
  return cached
}

const reasons: Record<string, string> = {
  out_of_stock: 'some items were out of stock',
  // Never which decline it was (card testing): the precise reason is for the shop's admins.
  payment_declined: 'your payment was declined',
  card_declined: 'your payment was declined',
  insufficient_funds: 'your payment was declined',
  payment_failed: 'we could not process the payment',
  stock_timeout: 'we could not reserve your items in time',
  payment_timeout: 'the payment did not complete in time',
  reservation_expired: 'the hold on your items expired before payment',
  customer_cancelled: 'you cancelled it',
  admin_cancelled: 'our staff cancelled it',
}

/** Words for a cancellation reason code (an unknown code is shown as it is). */
export function describeReason(reason: string): string {
  return reasons[reason] ?? reason.replaceAll('_', ' ')
}

function greeting(name: string | undefined): string {
  return name && name.trim() !== '' ? `Hello ${name.trim()},` : 'Hello,'
}

function lineTotal(line: Line): Money {
  return { amount: line.unitPrice.amount * line.quantity, currency: line.unitPrice.currency }
}

function lineList(lines: readonly Line[]): string {
  return lines
    .map(
      (line) =>
        `  ${line.quantity} × ${line.name}${line.variantLabel ? ` (${line.variantLabel})` : ''} at ${formatMoney(line.unitPrice)} = ${formatMoney(lineTotal(line))}`,
    )
    .join('\n')
}

const signature = '\n\n— Emporium'

/** The order is paid and confirmed: what was bought and the total. */
export function orderConfirmedMessage(
  order: { orderId: string; lines: readonly Line[]; total: Money },
  name?: string,
): RenderedMessage {
  return {
    template: Template.orderConfirmed,
    subject: `Your Emporium order ${order.orderId} is confirmed`,
    text:
      `${greeting(name)}\n\nThank you for your order ${order.orderId}. It is paid and confirmed.\n\n` +
      `${lineList(order.lines)}\n\nTotal: ${formatMoney(order.total)}` +
      signature,
  }
}

/** The order is cancelled, and why; a paid one says a refund follows. */
export function orderCancelledMessage(
  order: { orderId: string; reason: string; previousStatus: string; total: Money },
  name?: string,
): RenderedMessage {
  const refund =
    order.previousStatus === 'confirmed'
      ? `\n\nThe ${formatMoney(order.total)} you paid will be refunded to your card.`
      : '\n\nNothing was charged.'
  return {
    template: Template.orderCancelled,
    subject: `Your Emporium order ${order.orderId} was cancelled`,
    text:
      `${greeting(name)}\n\nYour order ${order.orderId} was cancelled: ` +
      `${describeReason(order.reason)}.${refund}` +
      signature,
  }
}

/** The order left the warehouse. */
export function orderShippedMessage(order: { orderId: string }, name?: string): RenderedMessage {
  return {
    template: Template.orderShipped,
    subject: `Your Emporium order ${order.orderId} has shipped`,
    text: `${greeting(name)}\n\nGood news: your order ${order.orderId} is on its way.` + signature,
  }
}

/** The link that proves an address (it is a credential: the log sender never shows a text). */
export function emailVerificationMessage(
  request: { link: string; expiresAt: string },
  name?: string,
): RenderedMessage {
  return {
    template: Template.emailVerification,
    subject: 'Confirm your e-mail address for Emporium',
    text:
      `${greeting(name)}\n\nPlease confirm that this is your e-mail address by opening this link:\n\n` +
      `${request.link}\n\nThe link works once, until ${request.expiresAt}. If you did not create ` +
      'an Emporium account, ignore this message.' +
      signature,
  }
}

/** The single-use link that sets a new password (a credential, as the verification link is). */
export function passwordResetMessage(
  request: { resetUrl: string; expiresAt: string },
  name?: string,
): RenderedMessage {
  return {
    template: Template.passwordReset,
    subject: 'Reset your Emporium password',
    text:
      `${greeting(name)}\n\nSomeone, hopefully you, asked to reset the password of your Emporium ` +
      `account. To choose a new password, open this link:\n\n${request.resetUrl}\n\n` +
      `The link works once, until ${request.expiresAt}; a newer request replaces it. Setting a ` +
      'new password signs you out everywhere. If you did not ask for this, ignore this message: ' +
      'your password stays as it is.' +
      signature,
  }
}

/** A capture was refunded in full. */
export function paymentRefundedMessage(
  refund: { orderId: string; amount: Money; last4: string },
  name?: string,
): RenderedMessage {
  return {
    template: Template.paymentRefunded,
    subject: `Refund issued for your Emporium order ${refund.orderId}`,
    text:
      `${greeting(name)}\n\nWe have refunded ${formatMoney(refund.amount)} for your order ` +
      `${refund.orderId} to the card ending in ${refund.last4}. ` +
      'It may take a few days to appear on your statement.' +
      signature,
  }
}
