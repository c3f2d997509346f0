import { AppError } from '@emporium/platform/app'
import type { Money, OrderLine, OrderPricing } from '../domain/order.js'
import { orderTotal } from '../domain/money.js'
import { rateFor, STANDARD_TAX_CLASS, type TaxRate } from '../domain/tax.js'
import { computeTotals } from '../domain/totals.js'
import type { Destination, PricedVariant, ShippingPort, ShippingQuote } from './ports.js'
import type { AppliedPromotion, PromotionCatalog } from './promotion-ports.js'

/** A line to price: the variant's name and price now, its tax class and weight. */
export interface CheckoutLine {
  productId: string
  variantId: string
  variantLabel?: string
  name: string
  unitPrice: Money
  quantity: number
  taxClass: string
  weightGrams: number
}

/**
 * The cart's lines priced from the catalog's names and prices now; a line whose variant the
 * catalog no longer sells (or names another product's) is a 409 `ORDERS.PRODUCT_UNAVAILABLE`.
 */
export function toCheckoutLines(
  cartLines: ReadonlyArray<{ productId: string; variantId?: string; quantity: number }>,
  products: ReadonlyMap<string, PricedVariant>,
): CheckoutLine[] {
  return cartLines.map((line): CheckoutLine => {
    const variantId = line.variantId ?? line.productId
    const product = products.get(variantId)
    // A variant of another product (never from a cart of ours) is no variant of this one.
    if (!product || product.productId !== line.productId) {
      throw new AppError(
        'conflict',
        'ORDERS.PRODUCT_UNAVAILABLE',
        `Product ${line.productId} is no longer sold; remove it from the cart.`,
        { details: { productId: line.productId } },
      )
    }
    return {
      productId: line.productId,
      variantId,
      ...(product.label !== undefined ? { variantLabel: product.label } : {}),
      name: product.name,
      unitPrice: { ...product.price },
      quantity: line.quantity,
      taxClass: product.taxClass ?? STANDARD_TAX_CLASS,
      weightGrams: product.weightGrams ?? 0,
    }
  })
}

/** Where a shipping address goes, as shipping and tax look at it. */
export function destinationOf(address: {
  country: string
  region?: string
  postalCode?: string
}): Destination {
  return {
    country: address.country.toUpperCase(),
    ...(address.region !== undefined && { region: address.region }),
    ...(address.postalCode !== undefined && { postalCode: address.postalCode }),
  }
}

/** The tax class shipping is taxed at: its own rate where one is set, else the standard one. */
export const SHIPPING_TAX_CLASS = 'shipping'

export interface PriceCheckoutDeps {
  shipping: ShippingPort
  /** The tax rates of a country (its regions' included). */
  taxRates: { forCountry(country: string): Promise<TaxRate[]> }
  promotions: Pick<PromotionCatalog, 'preview'>
  /** ORDERS_PRICES_INCLUDE_TAX: the catalog's prices and shipping prices include tax. */
  pricesIncludeTax: boolean
  now: () => Date
}

export interface CheckoutRequest {
  lines: CheckoutLine[]
  destination: Destination
  shippingMethodId?: string
  promotionCode?: string
  /** Who the promotion's per-customer limit counts: the account, or a guest's e-mail. */
  customerId: string
}

/** The checkout priced: what the order would store and the payment would charge. */
export interface PricedCheckout {
  /** The lines with their share of the discount, their tax and rate. */
  lines: OrderLine[]
  pricing: OrderPricing
  total: Money
  /** Every method the destination is offered for this cart, cheapest first. */
  shippingOptions: ShippingQuote[]
  promotion?: AppliedPromotion
}

/**
 * Prices a checkout with the one totals model (domain/totals.ts): the promotion's discount off
 * the subtotal, the shipping method's price (the one chosen, else the cheapest offered; none
 * offered: free), the destination's tax per line's class and on shipping. The same for the
 * checkout's quote and for the placement, which then reserves the promotion's use in its
 * transaction (the preview here only says it would apply).
 */
export function createPriceCheckout(deps: PriceCheckoutDeps) {
  return async (request: CheckoutRequest): Promise<PricedCheckout> => {
    const subtotal = orderTotal(request.lines)
    const { currency } = subtotal
    const promotion =
      request.promotionCode === undefined
        ? undefined
        : await deps.promotions.preview({
            code: request.promotionCode,
            customerId: request.customerId,
            subtotal,
            now: deps.now(),
          })
    const weightGrams = request.lines.reduce((sum, l) => sum + l.weightGrams * l.quantity, 0)
    const [quotes, rates] = await Promise.all([
      deps.shipping.quotes({ destination: request.destination, subtotal, weightGrams }),
      deps.taxRates.forCountry(request.destination.country),
    ])
    const offered = quotes.filter((q) => q.price.currency === currency)
    const method = chooseMethod(offered, request.shippingMethodId)
    const rateOf = (taxClass: string) => rateFor(rates, request.destination, taxClass)
    const lineRates = request.lines.map((line) => rateOf(line.taxClass || STANDARD_TAX_CLASS))
    const totals = computeTotals({
      currency,
      lines: request.lines.map((line, i) => ({
        unitPrice: line.unitPrice,
        quantity: line.quantity,
        taxRateBasisPoints: lineRates[i]!,
      })),
      discount: promotion?.discount.amount ?? 0,
      shipping: {
        amount: method?.price.amount ?? 0,
        taxRateBasisPoints: rateOf(SHIPPING_TAX_CLASS),
      },
      taxInclusive: deps.pricesIncludeTax,
    })
    const lines = request.lines.map((line, i): OrderLine => ({
      productId: line.productId,
      variantId: line.variantId,
      ...(line.variantLabel !== undefined ? { variantLabel: line.variantLabel } : {}),
      name: line.name,
      unitPrice: { ...line.unitPrice },
      quantity: line.quantity,
      discount: totals.lines[i]!.discount.amount,
      tax: totals.lines[i]!.tax.amount,
      taxRateBasisPoints: lineRates[i]!,
    }))
    return {
      lines,
      pricing: {
        subtotal: totals.subtotal,
        discount: totals.discount,
        shipping: totals.shipping,
        tax: totals.tax,
        taxInclusive: totals.taxInclusive,
        shippingMethod: method
          ? { id: method.methodId, name: method.name, carrier: method.carrier }
          : null,
        promotionCode: promotion?.code ?? null,
      },
      total: totals.total,
      shippingOptions: offered,
      ...(promotion && { promotion }),
    }
  }
}

/** The method chosen (409 when the destination is not offered it), else the cheapest, else none. */
function chooseMethod(
  offered: readonly ShippingQuote[],
  chosen: string | undefined,
): ShippingQuote | undefined {
  if (chosen === undefined) {
    return [...offered].sort((a, b) => a.price.amount - b.price.amount)[0]
  }
  const found = offered.find((q) => q.methodId === chosen)
  if (!found) {
    throw new AppError(
      'conflict',
      'ORDERS.SHIPPING_METHOD_UNAVAILABLE',
      'The shipping method chosen is not offered for this destination and cart; ask for a new quote.',
      { details: { shippingMethodId: chosen, offered: offered.map((q) => q.methodId) } },
    )
  }
  return found
}
