import { AppError } from '@emporium/platform/errors'
import type { RefundRecord } from './refund.js'

/** Money in integer minor units of one ISO 4217 currency. */
export interface Money {
  amount: number
  currency: string
}

export const orderStatuses = [
  'pending',
  'awaiting_payment',
  'payment_failed',
  'confirmed',
  'shipped',
  'cancelled',
] as const
export type OrderStatus = (typeof orderStatuses)[number]

/** Statuses an order can be cancelled from (the `previousStatus` of `order.cancelled`). */
export type CancellableStatus = 'pending' | 'awaiting_payment' | 'payment_failed' | 'confirmed'

/**
 * The saga's arrows: pending → awaiting_payment → confirmed → shipped, or → cancelled; a
 * declined payment leaves the order payment_failed (stock held), from where a retry with another
 * card goes back to awaiting_payment, and the deadline or the shopper cancels it.
 */
const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['awaiting_payment', 'cancelled'],
  awaiting_payment: ['confirmed', 'payment_failed', 'cancelled'],
  payment_failed: ['awaiting_payment', 'cancelled'],
  confirmed: ['shipped', 'cancelled'],
  shipped: [],
  cancelled: [],
}

/** A shipping address (the same shape as the contract's). */
export interface ShippingAddress {
  name: string
  line1: string
  line2?: string
  city: string
  postalCode: string
  country: string
  region?: string
  phone?: string
}

/** One line: a variant of a product, with the name and price the catalog confirmed at placement. */
export interface OrderLine {
  productId: string
  /** The variant (the product's own id for its first variant, and for lines before variants). */
  variantId: string
  /** The variant's option values for display (`M / Blue`); absent without options. */
  variantLabel?: string
  name: string
  unitPrice: Money
  quantity: number
  /** The line's share of the order's discount, in minor units (0 without one; absent before issue 18). */
  discount?: number
  /** The line's tax in minor units (absent before issue 18). */
  tax?: number
  /** The tax rate applied to the line, in basis points (2000 = 20 %). */
  taxRateBasisPoints?: number
}

/** The shipping method chosen at checkout (the shipping service's), with its price in `pricing`. */
export interface OrderShippingMethod {
  id: string
  name: string
  carrier: string
}

/**
 * The order's totals breakdown (docs/checkout.md, "Totals and rounding"): total = subtotal −
 * discount + shipping + tax, or subtotal − discount + shipping when prices include tax (tax is
 * then the part included). Null for orders placed before issue 18, whose total is their subtotal.
 */
export interface OrderPricing {
  subtotal: Money
  discount: Money
  shipping: Money
  tax: Money
  taxInclusive: boolean
  shippingMethod: OrderShippingMethod | null
  /** The promotion code applied (upper-case), its use reserved with the order. */
  promotionCode: string | null
}

/** A shipment of some of the order's lines, as the shipping service's events told. */
export interface OrderShipment {
  id: string
  carrier: string
  trackingNumber: string
  lines: Array<{ productId: string; variantId: string; quantity: number }>
  status: 'shipped' | 'delivered'
  createdAt: Date
}

/** The payment as the order knows it, from the payments service's events. */
export interface OrderPayment {
  status: PaymentStatus
  last4: string
}
export type PaymentStatus = 'authorized' | 'captured' | 'declined' | 'refunded' | 'failed'

/** An order as stored. */
export interface OrderRecord {
  id: string
  userId: string
  status: OrderStatus
  lines: OrderLine[]
  total: Money
  shippingAddress: ShippingAddress
  /** The card tokenized at placement: the payments service's id, never the number. */
  paymentMethod: { id: string; last4: string; brand: string }
  payment: OrderPayment | null
  cancellationReason: string | null
  /**
   * The provider's precise reason when the payment was declined or failed (`card_declined`,
   * ...): for admins only; the shopper sees the generic cancellation reason.
   */
  declineReason?: string | null
  /** When the saga step in progress times out; null once no step is awaited. */
  deadlineAt: Date | null
  /** The payment attempt payments charges (1 at placement, one more per retry). */
  paymentAttempt: number
  /**
   * The order's payment deadline, set when its stock is held (null before): retries are taken
   * until then, and a `payment_failed` order is cancelled at it.
   */
  paymentDueBy: Date | null
  /** The totals breakdown; null for orders placed before issue 18. */
  pricing?: OrderPricing | null
  /** A guest's e-mail address (the order's only contact); null for an account's order. */
  email?: string | null
  /** Its shipments so far (read with the order; written by the shipment consumer). */
  shipments?: OrderShipment[]
  /** Its refunds, oldest first (issue 19; read with the order). */
  refunds?: RefundRecord[]
  /** The human order number (1001, 1002, …), given by the store when it inserts the order. */
  number?: number
  /** The customer's e-mail, lower-cased (a guest's, or the account's as orders heard it). */
  customerEmail?: string | null
  /** A staff member's note on the order's cancellation (issue 19). */
  cancellationNote?: string | null
  /**
   * The version of the cart the order was placed from (the cart's `version`): told with
   * `order.confirmed`, so that the cart settles only the lines it held then. Null for orders
   * placed before orders recorded it, or from a cart that did not tell it.
   */
  cartVersion?: number | null
  createdAt: Date
  updatedAt: Date
}

/** Whether `from → to` is one of the state machine's arrows. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return allowed[from].includes(to)
}

/** `to` when `from → to` is allowed; else a 409 with a stable code. */
export function transition(from: OrderStatus, to: OrderStatus): OrderStatus {
  if (canTransition(from, to)) return to
  if (to === 'cancelled' && from === 'cancelled') {
    throw new AppError('conflict', 'ORDERS.ALREADY_CANCELLED', 'The order is already cancelled.')
  }
  if (to === 'cancelled' && from === 'shipped') {
    throw new AppError('conflict', 'ORDERS.ALREADY_SHIPPED', 'A shipped order cannot be cancelled.')
  }
  throw new AppError(
    'conflict',
    'ORDERS.INVALID_TRANSITION',
    `An order cannot go from ${from} to ${to}.`,
    { details: { from, to } },
  )
}

/** The order moved to `to` at `now`, with the deadline of the step it now waits for. */
export function advance(
  order: OrderRecord,
  to: Exclude<OrderStatus, 'cancelled'>,
  now: Date,
  deadlineAt: Date | null = null,
): OrderRecord {
  return { ...order, status: transition(order.status, to), deadlineAt, updatedAt: now }
}

/** The order cancelled for `reason`, and the status it was cancelled from. */
export function cancel(
  order: OrderRecord,
  reason: string,
  now: Date,
): { order: OrderRecord; previousStatus: CancellableStatus } {
  transition(order.status, 'cancelled')
  return {
    order: {
      ...order,
      status: 'cancelled',
      cancellationReason: reason,
      deadlineAt: null,
      updatedAt: now,
    },
    previousStatus: order.status as CancellableStatus,
  }
}

/**
 * The reason a deadline cancels an order in `status` for; undefined for a status with none. A
 * `payment_failed` order reaching its payment deadline ends as its last decline said:
 * `payment_failed` when the provider kept failing, else `payment_declined`.
 */
export function timeoutReason(
  status: OrderStatus,
  declineReason?: string | null,
): string | undefined {
  if (status === 'pending') return 'stock_timeout'
  if (status === 'awaiting_payment') return 'payment_timeout'
  if (status === 'payment_failed') return failureCode(declineReason)
  return undefined
}

/**
 * What the shopper is told of a failed payment (never which decline it was, which helps a
 * card tester): `payment_failed` when the provider kept failing, else `payment_declined`.
 */
export function failureCode(declineReason: string | null | undefined): string {
  return declineReason === 'provider_error' ? 'payment_failed' : 'payment_declined'
}

/**
 * The attempt's payment was declined or failed: the order waits `payment_failed` (its stock
 * still held) for another card until its payment deadline.
 */
export function failPayment(order: OrderRecord, declineReason: string, now: Date): OrderRecord {
  return {
    ...order,
    status: transition(order.status, 'payment_failed'),
    declineReason,
    deadlineAt: order.paymentDueBy,
    updatedAt: now,
  }
}

/** Whether the shopper may pay the order again now, and if not, why (a 409's words). */
export function retryRefusal(order: OrderRecord, now: Date): string | undefined {
  if (order.status !== 'payment_failed') {
    return `Only an order whose payment failed can be paid again; this one is ${order.status}.`
  }
  if (order.paymentDueBy !== null && order.paymentDueBy.getTime() <= now.getTime()) {
    return `The order's payment deadline (${order.paymentDueBy.toISOString()}) has passed.`
  }
  return undefined
}

/**
 * A retry with another card: the order goes back to `awaiting_payment` with the next attempt,
 * the new card, nothing known of its payment yet, and the payment step's deadline. Only from
 * `payment_failed` before the payment deadline: else a 409 `ORDERS.PAYMENT_NOT_RETRYABLE`.
 */
export function retryPayment(
  order: OrderRecord,
  method: { id: string; last4: string; brand: string },
  now: Date,
  deadlineAt: Date,
): OrderRecord {
  const refusal = retryRefusal(order, now)
  if (refusal !== undefined) {
    throw new AppError('conflict', 'ORDERS.PAYMENT_NOT_RETRYABLE', refusal, {
      details: {
        status: order.status,
        ...(order.paymentDueBy && { paymentDueBy: order.paymentDueBy.toISOString() }),
      },
    })
  }
  return {
    ...order,
    status: transition(order.status, 'awaiting_payment'),
    paymentAttempt: order.paymentAttempt + 1,
    paymentMethod: { ...method },
    payment: null,
    declineReason: null,
    deadlineAt,
    updatedAt: now,
  }
}
