import type { orders } from '@emporium/contracts'
import { lineTotal } from '../domain/money.js'
import { failureCode, type OrderLine, type OrderRecord } from '../domain/order.js'
import { refundedAmount, type RefundRecord } from '../domain/refund.js'

/**
 * An order as the API shows it (API.md's order). The precise decline reason is added for an
 * admin only; the shopper sees the generic cancellation reason (or, while `payment_failed`, the
 * generic `lastPaymentError`).
 */
export function toOrder(
  order: OrderRecord,
  viewer: { canReadAll: boolean } = { canReadAll: false },
): orders.Order {
  const money = (amount: number) => ({ amount, currency: order.total.currency })
  return {
    id: order.id,
    status: order.status,
    items: order.lines.map((line) => ({
      productId: line.productId,
      variantId: line.variantId,
      ...(line.variantLabel !== undefined ? { variantLabel: line.variantLabel } : {}),
      name: line.name,
      unitPrice: { ...line.unitPrice },
      quantity: line.quantity,
      lineTotal: lineTotal(line),
      ...(line.discount !== undefined && { discount: money(line.discount) }),
      ...(line.tax !== undefined && { tax: money(line.tax) }),
      ...(line.taxRateBasisPoints !== undefined && {
        taxRateBasisPoints: line.taxRateBasisPoints,
      }),
    })),
    total: { ...order.total },
    ...breakdown(order),
    ...(order.email ? { email: order.email } : {}),
    // Issue 19: its human number, and the customer's e-mail as orders knows it.
    ...(order.number !== undefined && { number: order.number }),
    ...(order.customerEmail ? { customerEmail: order.customerEmail } : {}),
    shipments: (order.shipments ?? []).map((shipment) => ({
      id: shipment.id,
      carrier: shipment.carrier,
      trackingNumber: shipment.trackingNumber,
      status: shipment.status,
      items: shipment.lines.map((line) => ({ ...line })),
      createdAt: shipment.createdAt.toISOString(),
    })),
    ...refundsView(order),
    shippingAddress: { ...order.shippingAddress },
    payment: order.payment ? { status: order.payment.status, last4: order.payment.last4 } : null,
    cancellationReason: order.cancellationReason,
    ...(viewer.canReadAll && order.declineReason ? { declineReason: order.declineReason } : {}),
    // Once payment was asked for (the stock held): the attempt, and the deadline while open.
    ...(order.paymentDueBy !== null && { paymentAttempt: order.paymentAttempt }),
    ...(order.paymentDueBy !== null &&
      (order.status === 'awaiting_payment' || order.status === 'payment_failed') && {
        paymentDueBy: order.paymentDueBy.toISOString(),
      }),
    ...(order.status === 'payment_failed' && {
      lastPaymentError: failureCode(order.declineReason),
    }),
    // Staff's note on a cancellation: staff only, as it may say what the shopper is not told.
    ...(viewer.canReadAll && order.cancellationNote
      ? { cancellationNote: order.cancellationNote }
      : {}),
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  }
}

/** The order's refunds and what they gave back (issue 19). */
function refundsView(order: OrderRecord) {
  const refunds = order.refunds ?? []
  return {
    refunds: refunds.map(toRefund),
    refundedAmount: { amount: refundedAmount(refunds), currency: order.total.currency },
  }
}

/** A refund as the API shows it. */
export function toRefund(refund: RefundRecord): orders.Refund {
  const { currency } = refund.amount
  return {
    id: refund.id,
    orderId: refund.orderId,
    amount: { ...refund.amount },
    status: refund.status,
    ...(refund.lines && {
      lines: refund.lines.map((line) => ({
        productId: line.productId,
        variantId: line.variantId,
        quantity: line.quantity,
        amount: { amount: line.amount, currency },
      })),
    }),
    ...(refund.reason !== null && { reason: refund.reason }),
    ...(refund.returnId !== null && { returnId: refund.returnId }),
    ...(refund.failureReason !== null && { failureReason: refund.failureReason }),
    ...(refund.retryOf && { retryOf: refund.retryOf }),
    createdAt: refund.createdAt.toISOString(),
    ...(refund.refundedAt && { refundedAt: refund.refundedAt.toISOString() }),
  }
}

/**
 * The totals breakdown; an order placed before issue 18 has none stored: its total was its
 * subtotal, with nothing off, no shipping and no tax.
 */
function breakdown(order: OrderRecord) {
  const { currency } = order.total
  const pricing = order.pricing
  if (!pricing) {
    const zero = { amount: 0, currency }
    return {
      subtotal: { ...order.total },
      discount: zero,
      shipping: { ...zero },
      tax: { ...zero },
      taxInclusive: false,
      shippingMethod: null,
      promotionCode: null,
    }
  }
  return {
    subtotal: { ...pricing.subtotal },
    discount: { ...pricing.discount },
    shipping: { ...pricing.shipping },
    tax: { ...pricing.tax },
    taxInclusive: pricing.taxInclusive,
    shippingMethod: pricing.shippingMethod
      ? { ...pricing.shippingMethod, price: { ...pricing.shipping } }
      : null,
    promotionCode: pricing.promotionCode,
  }
}

/**
 * The lines as the saga's events carry them: the variant where it is not the product's first
 * (an event line without one means that one, as lines did before variants).
 */
export function eventLines(lines: readonly OrderLine[]) {
  return lines.map((line) => ({
    productId: line.productId,
    ...(line.variantId !== line.productId ? { variantId: line.variantId } : {}),
    ...(line.variantLabel !== undefined ? { variantLabel: line.variantLabel } : {}),
    name: line.name,
    unitPrice: { ...line.unitPrice },
    quantity: line.quantity,
  }))
}

/** The totals breakdown and a guest's e-mail as the saga's events carry them (issue 18). */
export function eventBreakdown(order: OrderRecord) {
  const pricing = order.pricing
  return {
    ...(pricing && {
      subtotal: { ...pricing.subtotal },
      discount: { ...pricing.discount },
      shipping: { ...pricing.shipping },
      tax: { ...pricing.tax },
      taxInclusive: pricing.taxInclusive,
      ...(pricing.shippingMethod && { shippingMethod: { ...pricing.shippingMethod } }),
      ...(pricing.promotionCode !== null && { promotionCode: pricing.promotionCode }),
    }),
    ...(order.email ? { email: order.email } : {}),
  }
}
