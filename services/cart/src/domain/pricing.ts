import type { CartLine, Money, StoredCart } from './cart.js'

/** The local copy of a product's price, built from the catalog's events. */
export interface PriceEntry {
  productId: string
  name: string
  /** Null only for a product deleted before any update was seen. */
  price: Money | null
  deleted: boolean
  /** `occurredAt` of the event it comes from (RFC 3339). */
  asOf: string
}

export interface PricedLine {
  productId: string
  name: string
  unitPrice: Money
  quantity: number
  lineTotal: Money
  stale?: true
  previousUnitPrice?: Money
  unavailable?: true
}

export interface PricedCart {
  items: PricedLine[]
  subtotal: Money
  itemCount: number
  updatedAt: string
  stale?: true
  priceChanged?: true
}

/**
 * The cart as shown: each line at its stored price unless the price copy is newer than the
 * moment that price was confirmed (then the copy's price and name, with the old price as
 * `previousUnitPrice`; a deletion makes the line `unavailable`, out of the totals). While the
 * catalog is unreachable every line is `stale`: its price is the last known, not confirmed.
 * A copy in another currency than the line's is not applied (the line is `stale` instead).
 */
export function priceCart(
  cart: StoredCart,
  copies: ReadonlyMap<string, PriceEntry>,
  options: { catalogReachable: boolean; defaultCurrency: string; now: Date },
): PricedCart {
  const items = cart.lines.map((line) => priceLine(line, copies.get(line.productId)))
  if (!options.catalogReachable) for (const item of items) item.stale = true
  const currency = cart.lines[0]?.unitPrice.currency ?? options.defaultCurrency
  const counted = items.filter((item) => !item.unavailable)
  const result: PricedCart = {
    items,
    subtotal: { amount: counted.reduce((sum, i) => sum + i.lineTotal.amount, 0), currency },
    itemCount: counted.reduce((sum, i) => sum + i.quantity, 0),
    updatedAt: cart.version === 0 ? options.now.toISOString() : cart.updatedAt,
  }
  if (items.some((i) => i.stale)) result.stale = true
  if (items.some((i) => i.previousUnitPrice)) result.priceChanged = true
  return result
}

function priceLine(line: CartLine, copy: PriceEntry | undefined): PricedLine {
  const base = { productId: line.productId, quantity: line.quantity }
  const newer = copy !== undefined && Date.parse(copy.asOf) > Date.parse(line.pricedAt)
  if (newer && copy.deleted) {
    return {
      ...base,
      name: line.name,
      unitPrice: line.unitPrice,
      lineTotal: { amount: 0, currency: line.unitPrice.currency },
      unavailable: true,
    }
  }
  if (newer && copy.price && copy.price.currency === line.unitPrice.currency) {
    const item: PricedLine = {
      ...base,
      name: copy.name,
      unitPrice: copy.price,
      lineTotal: times(copy.price, line.quantity),
    }
    if (copy.price.amount !== line.unitPrice.amount) item.previousUnitPrice = line.unitPrice
    return item
  }
  const item: PricedLine = {
    ...base,
    name: line.name,
    unitPrice: line.unitPrice,
    lineTotal: times(line.unitPrice, line.quantity),
  }
  if (newer) item.stale = true
  return item
}

function times(price: Money, quantity: number): Money {
  return { amount: price.amount * quantity, currency: price.currency }
}
