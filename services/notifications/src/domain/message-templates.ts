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
  shipmentCreated: 'shipment_created',
  paymentRefunded: 'payment_refunded',
  emailVerification: 'email_verification',
  passwordReset: 'password_reset',
  staffInvitation: 'staff_invitation',
  webhookEndpointDisabled: 'webhook_endpoint_disabled',
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

/**
 * The totals breakdown of an order (issue 18; docs/checkout.md, "Totals and rounding"), as the
 * orders service's events carry it; absent in events from before it (the total alone).
 */
export interface Breakdown {
  subtotal?: Money
  discount?: Money
  shipping?: Money
  tax?: Money
  /** The prices include the tax (it is shown as included, not added). */
  taxInclusive?: boolean
  shippingMethod?: { name: string; carrier: string }
  promotionCode?: string
}

/** The breakdown's lines, then the total: `Subtotal: $40.00` … `Total: $44.00`. */
function totalsList(order: Breakdown & { total: Money }): string {
  const rows: string[] = []
  if (order.subtotal) rows.push(`Subtotal: ${formatMoney(order.subtotal)}`)
  if (order.discount && (order.discount.amount !== 0 || order.promotionCode)) {
    const code = order.promotionCode ? ` (${order.promotionCode})` : ''
    rows.push(`Discount${code}: −${formatMoney(order.discount)}`)
  }
  if (order.shipping) {
    const method = order.shippingMethod
      ? ` (${order.shippingMethod.name}, ${order.shippingMethod.carrier})`
      : ''
    const cost = order.shipping.amount === 0 ? 'free' : formatMoney(order.shipping)
    rows.push(`Shipping${method}: ${cost}`)
  }
  if (order.tax) {
    rows.push(
      order.taxInclusive
        ? `Tax (incl. in the prices): ${formatMoney(order.tax)}`
        : `Tax: ${formatMoney(order.tax)}`,
    )
  }
  rows.push(`Total: ${formatMoney(order.total)}`)
  return rows.join('\n')
}

/**
 * The order is paid and confirmed: what was bought, the totals breakdown, and where to see the
 * order (`link`: a guest's signed link, or an account's order page).
 */
export function orderConfirmedMessage(
  order: Breakdown & { orderId: string; lines: readonly Line[]; total: Money },
  name?: string,
  link?: string,
): RenderedMessage {
  const see = link ? `\n\nSee your order at any time: ${link}` : ''
  return {
    template: Template.orderConfirmed,
    subject: `Your Emporium order ${order.orderId} is confirmed`,
    text:
      `${greeting(name)}\n\nThank you for your order ${order.orderId}. It is paid and confirmed.\n\n` +
      `${lineList(order.lines)}\n\n${totalsList(order)}${see}` +
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

/** One line of a shipment: what it is called (or its variant's id when unknown) and how many. */
export interface ShippedLine {
  name: string
  variantLabel?: string
  quantity: number
}

/** A parcel left with a carrier: the carrier, its tracking number and what it holds. */
export function shipmentCreatedMessage(
  shipment: {
    orderId: string
    carrier: string
    trackingNumber: string
    lines: readonly ShippedLine[]
    /** Every line of the order is shipped now. */
    complete: boolean
  },
  name?: string,
  link?: string,
): RenderedMessage {
  const items = shipment.lines
    .map((l) => `  ${l.quantity} × ${l.name}${l.variantLabel ? ` (${l.variantLabel})` : ''}`)
    .join('\n')
  const rest = shipment.complete
    ? 'This completes your order.'
    : 'The rest of your order follows in another parcel.'
  const see = link ? `\n\nSee your order at any time: ${link}` : ''
  return {
    template: Template.shipmentCreated,
    subject: `A parcel of your Emporium order ${shipment.orderId} is on its way`,
    text:
      `${greeting(name)}\n\nA parcel of your order ${shipment.orderId} is on its way.\n\n` +
      `Carrier: ${shipment.carrier}\nTracking number: ${shipment.trackingNumber}\n\n` +
      `In this parcel:\n${items}\n\n${rest}${see}` +
      signature,
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

/** An invitation to the shop's staff (issue 19): the single-use link to accept it. */
export function staffInvitationMessage(invitation: {
  acceptUrl: string
  expiresAt: string
  role: string
  invitedBy: string
}): RenderedMessage {
  const role = invitation.role.replace(/_/g, ' ')
  const by = invitation.invitedBy ? `${invitation.invitedBy} invited you` : 'You are invited'
  return {
    template: Template.staffInvitation,
    subject: 'You are invited to the Emporium staff',
    text:
      `${greeting(undefined)}\n\n${by} to join the staff of the Emporium shop as ${role}. To ` +
      `accept, open this link and choose your name and password:\n\n${invitation.acceptUrl}\n\n` +
      `The link works once, until ${invitation.expiresAt}. If you did not expect this, ignore ` +
      'this message.' +
      signature,
  }
}

/**
 * A partner webhook endpoint failed for too long and was disabled (issue 21): its owner, the
 * staff member who registered it, is told which one, since when, and how to turn it back on.
 */
export function webhookEndpointDisabledMessage(
  endpoint: { endpointId: string; url: string; failingSince: string },
  name?: string,
): RenderedMessage {
  return {
    template: Template.webhookEndpointDisabled,
    subject: 'A webhook endpoint of your Emporium shop was disabled',
    text:
      `${greeting(name)}\n\nThe webhook endpoint ${endpoint.url} (${endpoint.endpointId}) has ` +
      `failed every delivery since ${endpoint.failingSince}, so the shop stopped sending to it. ` +
      'Its deliveries are kept: once the receiver answers again, enable the endpoint in the back ' +
      'office (Webhooks) and replay the deliveries it missed.' +
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
