import { randomKey, type CallResult, type Money, type Payment } from '@emporium/sdk'
import type { StaffCancelReason } from '../lib/cancellation'
import type { FullOrder } from './checkout'
import { shop, unwrap } from './client'

// Issue 19's back-office routes (order search, notes, staff cancel, refunds, returns, customers,
// the timeline and a customer's figures), typed here from docs/API.md
// until the SDK's generated types carry them: the calls still go through the shop's client (its
// token, its resend of shed requests, its problems). Every field an older platform lacks is
// optional, so a page degrades instead of breaking.

export { staffCancelReasons, type StaffCancelReason } from '../lib/cancellation'

/** A line named by product (and variant), with a quantity: refunds and returns. */
export interface ItemLine {
  productId: string
  variantId?: string
  quantity: number
}

export interface Refund {
  id: string
  orderId: string
  amount: Money
  status: 'requested' | 'refunded' | 'failed' | string
  lines?: (ItemLine & { amount?: Money })[]
  reason?: string | null
  /** The return whose received lines it pays back. */
  returnId?: string
  failureReason?: string
  /** The failed refund this one asks for again. */
  retryOf?: string
  createdAt: string
  refundedAt?: string
}

export interface OrderReturn {
  id: string
  orderId: string
  status: 'requested' | 'received' | 'refunded' | 'rejected' | 'expired' | string
  /** Asked for; once received, `receivedQuantity` of each came back (restocked or not). */
  lines: (ItemLine & { receivedQuantity?: number; restock?: boolean })[]
  reason: string
  rejectionReason?: string
  /** Until when the parcel is awaited; a return still requested then expires. */
  deadlineAt?: string
  refundId?: string | null
  createdAt: string
  updatedAt?: string
}

/** An order as staff read it: issue 19's fields on top of issue 18's. */
export type StaffOrder = FullOrder & {
  /** The human order number (1001…). */
  number?: number
  customerEmail?: string | null
  /** The account that placed it, when the order view names it. */
  userId?: string | null
  cancellationNote?: string | null
  refunds?: Refund[]
  refundedAmount?: Money
}

export interface StaffOrderPage {
  items: StaffOrder[]
  nextCursor: string | null
}

/** The filters of the order search; empty strings are left out of the query. */
export interface OrderFilters {
  number?: string
  email?: string
  status?: string
  from?: string
  to?: string
  /** Minor units. */
  minTotal?: number
  maxTotal?: number
  customerId?: string
}

export interface OrderNote {
  id: string
  text: string
  author: { userId: string; email?: string; name?: string }
  createdAt: string
}

export interface TimelineEntry {
  eventId: string
  type: string
  source: string
  occurredAt: string
  data: unknown
}

export interface Customer {
  id: string
  email: string
  name: string
  createdAt: string
  emailVerified: boolean
}

export interface CustomerAddress {
  id: string
  label?: string | null
  name: string
  line1: string
  line2?: string
  city: string
  postalCode: string
  country: string
  region?: string
  isDefault?: boolean
}

export type CustomerDetail = Customer & { addresses?: CustomerAddress[] }

export interface CustomerFigures {
  userId: string
  orders: number
  lifetimeValue: Money | null
  refunded: Money | null
  firstOrderAt: string | null
  lastOrderAt: string | null
}

interface Init {
  body?: unknown
  params?: {
    path?: Record<string, string>
    query?: Record<string, string | number | boolean | undefined>
    header?: Record<string, string>
  }
  signal?: AbortSignal | undefined
}

/** The shop's client without the generated paths' types (for the routes above only). */
interface LooseClient {
  GET(path: string, init?: Init): Promise<CallResult<unknown>>
  POST(path: string, init?: Init): Promise<CallResult<unknown>>
}
const loose = shop as unknown as LooseClient

const get = <T>(path: string, init: Init): Promise<T> => unwrap(loose.GET(path, init)) as Promise<T>
const post = <T>(path: string, init: Init): Promise<T> =>
  unwrap(loose.POST(path, init)) as Promise<T>

/** The query of an order search, without the empty filters. */
export function orderQuery(filters: OrderFilters, cursor?: string, limit = 20) {
  const query: Record<string, string | number | boolean> = { all: true, limit }
  for (const [key, value] of Object.entries(filters)) {
    if (value === undefined || value === '') continue
    query[key] = typeof value === 'string' ? value.trim() : value
  }
  if (cursor) query.cursor = cursor
  return query
}

/** `GET /orders?all=true&…`: everyone's orders matching the filters, newest first. */
export const searchOrders = (filters: OrderFilters, cursor?: string, signal?: AbortSignal) =>
  get<StaffOrderPage>('/api/v1/orders', { params: { query: orderQuery(filters, cursor) }, signal })

export const readStaffOrder = (id: string, signal?: AbortSignal) =>
  get<StaffOrder>('/api/v1/orders/{id}', { params: { path: { id } }, signal })

/** `GET /payments?orderId=`: every payment attempt of the order. */
export const orderPayments = (orderId: string, signal?: AbortSignal) =>
  get<{ items: Payment[] }>('/api/v1/payments', {
    params: { query: { orderId, limit: 50 } },
    signal,
  }).then((page) => page.items)

export const orderTimeline = (orderId: string, signal?: AbortSignal) =>
  get<{ items: TimelineEntry[] }>('/api/v1/reports/orders/{id}/timeline', {
    params: { path: { id: orderId } },
    signal,
  }).then((page) => page.items)

export const orderNotes = (orderId: string, signal?: AbortSignal) =>
  get<{ items: OrderNote[] }>('/api/v1/orders/{id}/notes', {
    params: { path: { id: orderId } },
    signal,
  }).then((page) => page.items)

export const addOrderNote = (orderId: string, text: string) =>
  post<OrderNote>('/api/v1/orders/{id}/notes', {
    params: { path: { id: orderId } },
    body: { text },
  })

/**
 * `POST /orders/{id}/cancel` without a reason: the shopper's own cancel, or staff's quick one
 * (`admin_cancelled`). An empty body, which the route takes since issue 19 as it took none.
 */
export const cancelOrder = (orderId: string) =>
  post<StaffOrder>('/api/v1/orders/{id}/cancel', { params: { path: { id: orderId } }, body: {} })

/** Staff cancel with a reason (and a note for `other`, or any). */
export const cancelWithReason = (orderId: string, reason: StaffCancelReason, note?: string) =>
  post<StaffOrder>('/api/v1/orders/{id}/cancel', {
    params: { path: { id: orderId } },
    body: { reason, ...(note ? { note } : {}) },
  })

export type RefundBody = ({ amount: Money } | { lines: ItemLine[] }) & { reason?: string }

/**
 * `POST /orders/{id}/refunds`. `key` is the Idempotency-Key: the same for a repeat of the same
 * refund (a retry after an error), so that the shop never refunds it twice.
 */
export const refundOrder = (orderId: string, body: RefundBody, key: string) =>
  post<Refund>('/api/v1/orders/{id}/refunds', {
    params: { path: { id: orderId }, header: { 'idempotency-key': key } },
    body,
  })

export const newRefundKey = randomKey

/**
 * `POST /orders/{id}/refunds/{refundId}/retry`: a failed refund asked for again (a new refund,
 * `retryOf` it). `key` as for `refundOrder`: the same for a repeat after an error.
 */
export const retryRefund = (orderId: string, refundId: string, key: string) =>
  post<Refund>('/api/v1/orders/{id}/refunds/{refundId}/retry', {
    params: { path: { id: orderId, refundId }, header: { 'idempotency-key': key } },
  })

export const orderReturns = (orderId: string, signal?: AbortSignal) =>
  get<{ items: OrderReturn[] }>('/api/v1/orders/{id}/returns', {
    params: { path: { id: orderId } },
    signal,
  }).then((page) => page.items)

/** A return request: by the shopper on their own shipped order, or by staff. */
export const requestReturn = (orderId: string, lines: ItemLine[], reason: string) =>
  post<OrderReturn>('/api/v1/orders/{id}/returns', {
    params: { path: { id: orderId } },
    body: { lines, reason },
  })

export const receiveReturn = (
  orderId: string,
  returnId: string,
  lines: (ItemLine & { restock: boolean })[],
) =>
  post<OrderReturn>('/api/v1/orders/{id}/returns/{returnId}/receive', {
    params: { path: { id: orderId, returnId } },
    body: { lines },
  })

export const rejectReturn = (orderId: string, returnId: string, reason?: string) =>
  post<OrderReturn>('/api/v1/orders/{id}/returns/{returnId}/reject', {
    params: { path: { id: orderId, returnId } },
    body: reason ? { reason } : {},
  })

export const searchCustomers = (q: string, cursor?: string, signal?: AbortSignal) =>
  get<{ items: Customer[]; nextCursor: string | null }>('/api/v1/customers', {
    params: { query: { q: q.trim() || undefined, limit: 20, cursor } },
    signal,
  })

export const readCustomer = (id: string, signal?: AbortSignal) =>
  get<CustomerDetail>('/api/v1/customers/{id}', { params: { path: { id } }, signal })

export const customerFigures = (id: string, signal?: AbortSignal) =>
  get<CustomerFigures>('/api/v1/reports/customers/{id}', { params: { path: { id } }, signal })

/** The key a line is told apart by: its variant, or its product when it has none. */
export const lineKey = (line: { productId: string; variantId?: string | undefined }) =>
  line.variantId ?? line.productId
