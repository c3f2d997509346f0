import { AppError } from '@emporium/platform/errors'
import type { Money, OrderLine, OrderRecord } from './order.js'

/*
 * Refunds and returns of an order (issue 19; docs/checkout.md, "Refunds and returns"): their
 * records and the amount rules, no I/O.
 */

export type RefundStatus = 'requested' | 'refunded' | 'failed'

/** Units of a line and the share of the payment they get back. */
export interface RefundedLine {
  productId: string
  variantId: string
  quantity: number
  amount: number
}

/** A refund of part of an order's payment, as stored. */
export interface RefundRecord {
  id: string
  orderId: string
  amount: Money
  status: RefundStatus
  lines: RefundedLine[] | null
  reason: string | null
  returnId: string | null
  failureReason: string | null
  /** The failed refund this one retries (migrations/013); absent or null for a first refund. */
  retryOf?: string | null
  createdBy: string
  createdAt: Date
  refundedAt: Date | null
}

export type ReturnStatus = 'requested' | 'received' | 'refunded' | 'rejected' | 'expired'

export interface ReturnLineRecord {
  productId: string
  variantId: string
  quantity: number
  receivedQuantity?: number
  restock?: boolean
}

/** A return of lines of a shipped order, as stored. */
export interface ReturnRecord {
  id: string
  orderId: string
  status: ReturnStatus
  lines: ReturnLineRecord[]
  reason: string
  rejectionReason: string | null
  refundId: string | null
  createdBy: string
  deadlineAt: Date
  createdAt: Date
  updatedAt: Date
}

/** A line of a request: a variant (the product's first when absent) and a quantity. */
export interface LineRequest {
  productId: string
  variantId?: string
  quantity: number
}

/** Statuses whose payment was captured and may be refunded in part. */
export const refundableStatuses = ['confirmed', 'shipped'] as const

/** What the shopper paid for a whole line: its price less its discount, plus tax added on top. */
export function linePaid(order: OrderRecord, line: OrderLine): number {
  const gross = line.unitPrice.amount * line.quantity - (line.discount ?? 0)
  const taxOnTop = order.pricing && !order.pricing.taxInclusive ? (line.tax ?? 0) : 0
  return Math.max(0, gross + taxOnTop)
}

/**
 * The share of `line`'s payment that `quantity` more units get back when `before` units of it
 * were refunded already: cumulative rounding, so that the shares of every unit add up to exactly
 * what the line cost (no cent lost or made up whatever the order of the refunds).
 */
export function unitsShare(paid: number, lineQuantity: number, before: number, quantity: number) {
  const upTo = (units: number) => Math.round((paid * units) / lineQuantity)
  return upTo(before + quantity) - upTo(before)
}

/** The order's line a request names (its variant, or the product's first). */
export function findLine(order: OrderRecord, request: LineRequest): OrderLine {
  const variantId = request.variantId ?? request.productId
  const line = order.lines.find(
    (l) => l.productId === request.productId && l.variantId === variantId,
  )
  if (!line) {
    throw new AppError(
      'invalid',
      'ORDERS.UNKNOWN_LINE',
      `The order has no line of product ${request.productId}${
        request.variantId ? ` variant ${request.variantId}` : ''
      }.`,
      { details: { productId: request.productId, variantId } },
    )
  }
  return line
}

const key = (productId: string, variantId: string) => `${productId}\u0000${variantId}`

/** Units of each line refunded by lines so far (refunds not failed). */
export function refundedUnits(refunds: readonly RefundRecord[]): Map<string, number> {
  const units = new Map<string, number>()
  for (const refund of refunds) {
    if (refund.status === 'failed') continue
    for (const line of refund.lines ?? []) {
      const k = key(line.productId, line.variantId)
      units.set(k, (units.get(k) ?? 0) + line.quantity)
    }
  }
  return units
}

/** Requests for the same line summed into one (a line named twice counts its units once each). */
export function mergeLines<T extends LineRequest>(
  lines: readonly T[],
): Array<T & { variantId: string }> {
  const merged = new Map<string, T & { variantId: string }>()
  for (const line of lines) {
    const variantId = line.variantId ?? line.productId
    const k = key(line.productId, variantId)
    const seen = merged.get(k)
    if (seen) seen.quantity += line.quantity
    else merged.set(k, { ...line, variantId })
  }
  return [...merged.values()]
}

/**
 * The refunded lines and their shares for `requests`, after the order's earlier refunds: each
 * line's units at most those not refunded yet (else a 409 `ORDERS.REFUND_EXCEEDS_QUANTITY`).
 */
export function lineShares(
  order: OrderRecord,
  refunds: readonly RefundRecord[],
  requests: readonly LineRequest[],
): RefundedLine[] {
  const done = refundedUnits(refunds)
  return mergeLines(requests).map((request) => {
    const line = findLine(order, request)
    const before = done.get(key(line.productId, line.variantId)) ?? 0
    if (before + request.quantity > line.quantity) {
      throw new AppError(
        'conflict',
        'ORDERS.REFUND_EXCEEDS_QUANTITY',
        `Only ${line.quantity - before} unit(s) of ${line.name} are left to refund.`,
        {
          details: {
            productId: line.productId,
            variantId: line.variantId,
            left: line.quantity - before,
          },
        },
      )
    }
    return {
      productId: line.productId,
      variantId: line.variantId,
      quantity: request.quantity,
      amount: unitsShare(linePaid(order, line), line.quantity, before, request.quantity),
    }
  })
}

/** What was refunded or is being refunded (refunds not failed), in minor units. */
export function refundedSoFar(refunds: readonly RefundRecord[]): number {
  return refunds.reduce((sum, r) => (r.status === 'failed' ? sum : sum + r.amount.amount), 0)
}

/** What is refunded (landed at the provider) so far: the order's `refundedAmount`. */
export function refundedAmount(refunds: readonly RefundRecord[]): number {
  return refunds.reduce((sum, r) => (r.status === 'refunded' ? sum + r.amount.amount : sum), 0)
}

/** What may still be refunded: captured − refunded or being refunded. */
export function refundable(order: OrderRecord, refunds: readonly RefundRecord[]): number {
  const captured = order.payment?.status === 'captured' ? order.total.amount : 0
  return Math.max(0, captured - refundedSoFar(refunds))
}

/**
 * Refuses a refund of `amount` past what may still be refunded (409
 * `ORDERS.REFUND_EXCEEDS_CAPTURED`), of nothing, or of an order neither confirmed nor shipped.
 */
export function checkRefund(order: OrderRecord, refunds: readonly RefundRecord[], amount: number) {
  if (!(refundableStatuses as readonly string[]).includes(order.status)) {
    throw new AppError(
      'conflict',
      'ORDERS.NOT_REFUNDABLE',
      `Only a confirmed or shipped order can be refunded; this one is ${order.status}.`,
      { details: { status: order.status } },
    )
  }
  const left = refundable(order, refunds)
  if (amount > left) {
    throw new AppError(
      'conflict',
      'ORDERS.REFUND_EXCEEDS_CAPTURED',
      `At most ${left} (minor units) of this order's payment is left to refund.`,
      { details: { refundable: { amount: left, currency: order.total.currency } } },
    )
  }
  if (amount <= 0) {
    throw new AppError(
      'invalid',
      'ORDERS.EMPTY_REFUND',
      'A refund gives back at least 1 minor unit.',
    )
  }
}

/**
 * Units of each line shipped: what its shipments hold, or, for an order marked shipped without
 * shipments (by staff), every unit.
 */
export function shippedUnits(order: OrderRecord): Map<string, number> {
  const units = new Map<string, number>()
  const shipments = order.shipments ?? []
  if (shipments.length === 0) {
    if (order.status === 'shipped') {
      for (const line of order.lines) units.set(key(line.productId, line.variantId), line.quantity)
    }
    return units
  }
  for (const shipment of shipments) {
    for (const line of shipment.lines) {
      const k = key(line.productId, line.variantId)
      units.set(k, (units.get(k) ?? 0) + line.quantity)
    }
  }
  return units
}

/** Units of each line in returns still open or received (received: the units that came back). */
export function returnedUnits(returns: readonly ReturnRecord[]): Map<string, number> {
  const units = new Map<string, number>()
  for (const ret of returns) {
    if (ret.status === 'rejected' || ret.status === 'expired') continue
    for (const line of ret.lines) {
      const k = key(line.productId, line.variantId)
      const count = ret.status === 'requested' ? line.quantity : (line.receivedQuantity ?? 0)
      units.set(k, (units.get(k) ?? 0) + count)
    }
  }
  return units
}

/**
 * The lines of a new return: each of the order's, at most its units shipped less those returned
 * or being returned (else a 409 `ORDERS.RETURN_EXCEEDS_SHIPPED`); only of a shipped order (409
 * `ORDERS.NOT_RETURNABLE`).
 */
export function returnLines(
  order: OrderRecord,
  returns: readonly ReturnRecord[],
  requests: readonly LineRequest[],
): ReturnLineRecord[] {
  if (order.status !== 'shipped') {
    throw new AppError(
      'conflict',
      'ORDERS.NOT_RETURNABLE',
      `Only a shipped order's lines can be returned; this one is ${order.status}.`,
      { details: { status: order.status } },
    )
  }
  const shipped = shippedUnits(order)
  const returned = returnedUnits(returns)
  return mergeLines(requests).map((request) => {
    const line = findLine(order, request)
    const k = key(line.productId, line.variantId)
    const left = (shipped.get(k) ?? 0) - (returned.get(k) ?? 0)
    if (request.quantity > left) {
      throw new AppError(
        'conflict',
        'ORDERS.RETURN_EXCEEDS_SHIPPED',
        `Only ${Math.max(0, left)} unit(s) of ${line.name} can be returned.`,
        {
          details: {
            productId: line.productId,
            variantId: line.variantId,
            left: Math.max(0, left),
          },
        },
      )
    }
    return { productId: line.productId, variantId: line.variantId, quantity: request.quantity }
  })
}

/**
 * A requested return's lines as received: each received line one the return asked for, at most
 * its units (else 409 `ORDERS.RECEIVED_EXCEEDS_RETURN`); a line not named came back with 0 units.
 */
export function receivedLines(
  ret: ReturnRecord,
  received: ReadonlyArray<LineRequest & { restock: boolean }>,
): ReturnLineRecord[] {
  const merged = mergeLines(received)
  for (const line of merged) {
    const asked = ret.lines.find(
      (l) => l.productId === line.productId && l.variantId === line.variantId,
    )
    if (!asked || line.quantity > asked.quantity) {
      throw new AppError(
        'conflict',
        'ORDERS.RECEIVED_EXCEEDS_RETURN',
        `The return asked for ${asked?.quantity ?? 0} unit(s) of product ${line.productId}.`,
        { details: { productId: line.productId, variantId: line.variantId } },
      )
    }
  }
  return ret.lines.map((line) => {
    const got = merged.find((l) => l.productId === line.productId && l.variantId === line.variantId)
    return { ...line, receivedQuantity: got?.quantity ?? 0, restock: got?.restock ?? false }
  })
}
