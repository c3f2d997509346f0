import { AppError } from '@emporium/platform/errors'

/** Money in integer minor units of one ISO 4217 currency. */
export interface Money {
  amount: number
  currency: string
}

export const orderStatuses = [
  'pending',
  'awaiting_payment',
  'confirmed',
  'shipped',
  'cancelled',
] as const
export type OrderStatus = (typeof orderStatuses)[number]

/** Statuses an order can be cancelled from (the `previousStatus` of `order.cancelled`). */
export type CancellableStatus = 'pending' | 'awaiting_payment' | 'confirmed'

/** The saga's arrows: pending → awaiting_payment → confirmed → shipped, or → cancelled. */
const allowed: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['awaiting_payment', 'cancelled'],
  awaiting_payment: ['confirmed', 'cancelled'],
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

/** The status a deadline cancels from, with its reason; undefined for a status with none. */
export function timeoutReason(status: OrderStatus): string | undefined {
  if (status === 'pending') return 'stock_timeout'
  if (status === 'awaiting_payment') return 'payment_timeout'
  return undefined
}
