import type { orders } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { toOrder } from './order-view.js'
import type { CartPort, CatalogPort } from './ports.js'
import { customerIdOf } from './place-order.js'
import {
  destinationOf,
  toCheckoutLines,
  type CheckoutRequest,
  type PricedCheckout,
} from './price-checkout.js'

export interface QuoteCheckoutDeps {
  cart: CartPort
  catalog: CatalogPort
  priceCheckout: (request: CheckoutRequest) => Promise<PricedCheckout>
}

export interface QuoteRequest {
  userId: string
  guest?: boolean
  authorization: string
  body: orders.QuoteBody
  /** A guest's e-mail as typed so far: its promotion limit counts per address. */
  email?: string
}

/**
 * `POST /orders/quote`: what placing the caller's cart would cost now — the lines with their
 * discount and tax, subtotal, discount, shipping, tax and total, and every shipping method the
 * destination is offered — priced by the same code as the placement (app/price-checkout.ts), so
 * the quote is the order's total when nothing changes in between. Nothing is written or reserved.
 * Without a destination the shop's country-less view: no shipping, no tax.
 */
export function createQuoteCheckout(deps: QuoteCheckoutDeps) {
  return async (request: QuoteRequest): Promise<orders.Quote> => {
    const cart = await deps.cart.snapshot(request.authorization)
    const cartLines = cart.lines.filter((line) => !line.unavailable)
    if (cartLines.length === 0) {
      throw new AppError(
        'invalid',
        'ORDERS.EMPTY_CART',
        'The cart has nothing that can be ordered.',
      )
    }
    const { products } = await deps.catalog.products(
      cartLines.map((l) => ({ productId: l.productId, variantId: l.variantId ?? l.productId })),
    )
    const { body } = request
    const where = body.shippingAddress ?? body.destination
    const priced = await deps.priceCheckout({
      lines: toCheckoutLines(cartLines, products),
      // No destination yet: a country no rate and no zone names (nothing offered, no tax).
      destination: where ? destinationOf(where) : { country: 'ZZ' },
      ...(body.shippingMethodId !== undefined && { shippingMethodId: body.shippingMethodId }),
      ...(body.promotionCode !== undefined && { promotionCode: body.promotionCode }),
      customerId: customerIdOf(request),
    })
    const { pricing } = priced
    // The lines and breakdown as an order shows them.
    const view = toOrder({
      id: '',
      userId: request.userId,
      status: 'pending',
      lines: priced.lines,
      total: priced.total,
      pricing,
      shippingAddress: { name: '', line1: '', city: '', postalCode: '', country: 'ZZ' },
      paymentMethod: { id: '', last4: '0000', brand: '' },
      payment: null,
      cancellationReason: null,
      deadlineAt: null,
      paymentAttempt: 1,
      paymentDueBy: null,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    })
    return {
      items: view.items,
      subtotal: pricing.subtotal,
      discount: pricing.discount,
      shipping: pricing.shipping,
      tax: pricing.tax,
      total: priced.total,
      taxInclusive: pricing.taxInclusive,
      shippingOptions: priced.shippingOptions.map((q) => ({
        methodId: q.methodId,
        name: q.name,
        carrier: q.carrier,
        price: { ...q.price },
        ...(q.estimatedDays && { estimatedDays: { ...q.estimatedDays } }),
      })),
      shippingMethod: view.shippingMethod ?? null,
      promotionCode: pricing.promotionCode,
    }
  }
}
