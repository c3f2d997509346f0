import type { Money, Order } from '@emporium/sdk'
import { shop, unwrap } from './client'

// Issue 18's routes (guests, quotes, order links, cart merge) through the shop's client (its
// token, its resend of shed requests, its problems), and the shapes the pages name.

/** A shipping method as an order or a quote names it. */
export interface ChosenShipping {
  id: string
  name: string
  carrier: string
  price: Money
}

/** A shipping method the destination is offered, priced for the cart. */
export interface ShippingOption {
  methodId: string
  name: string
  carrier: string
  price: Money
  estimatedDays?: { min: number; max: number }
}

/** What an order (or a quote of one) costs: subtotal − discount + shipping + tax. */
export interface Totals {
  subtotal: Money
  discount: Money
  shipping: Money
  /** Added on top, or the part included in the prices when `taxInclusive`. */
  tax: Money
  total: Money
  taxInclusive: boolean
}

/** The answer of `POST /orders/quote`. */
export interface Quote extends Totals {
  items: Order['items']
  shippingOptions: ShippingOption[]
  shippingMethod: ChosenShipping | null
  promotionCode: string | null
}

/** Where an order goes, as far as its price depends on it. */
export interface Destination {
  country: string
  region?: string
  postalCode?: string
}

export interface QuoteBody {
  destination?: Destination
  shippingMethodId?: string
  promotionCode?: string
}

/** A shipment of some of an order's lines. */
export interface Shipment {
  id: string
  carrier: string
  trackingNumber: string
  status: string
  items: { productId: string; variantId: string; quantity: number }[]
  createdAt: string
}

/** An order with the fields of issue 18 (optional: an order read before them lacks them). */
export type FullOrder = Order &
  Partial<Totals> & {
    shippingMethod?: ChosenShipping | null
    promotionCode?: string | null
    /** A guest's order: the address its link was sent to. */
    email?: string
    shipments?: Shipment[]
    paymentDueBy?: string
    lastPaymentError?: string
    paymentAttempt?: number
  }

/** A line of a guest's cart that did not fit into the account's at sign-in. */
export interface NotMergedLine {
  productId: string
  variantId?: string
  name: string
  quantity: number
  reason: 'line_limit' | 'quantity_limit' | 'currency_mismatch' | string
}

export interface MergeAnswer {
  mergedLines: number
  notMerged: NotMergedLine[]
}

/** `POST /orders/quote`: the cart priced for a destination, method and code. */
export const quoteOrder = (body: QuoteBody, signal?: AbortSignal): Promise<Quote> =>
  unwrap(shop.POST('/api/v1/orders/quote', { body, ...(signal ? { signal } : {}) }))

/** `GET /orders/{id}` with the fields of issue 18. */
export const readOrder = (id: string, signal?: AbortSignal): Promise<FullOrder> =>
  unwrap(
    shop.GET('/api/v1/orders/{id}', { params: { path: { id } }, ...(signal ? { signal } : {}) }),
  )

/** `GET /order-links/{token}`: a guest's order through its e-mailed link (no sign-in). */
export const readOrderLink = (token: string, signal?: AbortSignal): Promise<FullOrder> =>
  unwrap(
    shop.GET('/api/v1/order-links/{token}', {
      params: { path: { token } },
      ...(signal ? { signal } : {}),
    }),
  )

/** `POST /auth/guest`: a guest's cart token (the gateway keeps it in an HttpOnly cookie). */
export const issueGuestToken = (): Promise<{ expiresIn: number }> =>
  unwrap(shop.POST('/api/v1/auth/guest'))

/** `POST /cart/merge`: the guest cart of this browser's cookie into the signed-in account's. */
export const mergeCart = (): Promise<MergeAnswer> => unwrap(shop.POST('/api/v1/cart/merge'))
