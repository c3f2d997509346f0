import { lineKey, type CartLine, type Money, type StoredCart } from './cart.js'

/**
 * The local copy of a variant's price, built from the catalog's events. A product's deletion
 * marks every variant's entry it has, and the entry of the product's own id (its first variant).
 */
export interface PriceEntry {
  productId: string
  /** The variant; absent (or the product's id) for the product's first variant. */
  variantId?: string
  /** The variant's option values for display; absent without options. */
  label?: string
  name: string
  /** Null only for a product deleted before any update was seen. */
  price: Money | null
  deleted: boolean
  /** `occurredAt` of the event it comes from (RFC 3339). */
  asOf: string
}

export interface PricedLine {
  productId: string
  variantId: string
  variantLabel?: string
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
  /** The stored cart's version (0: never written). */
  version: number
  stale?: true
  priceChanged?: true
}

/**
 * The cart as shown: each line at its stored price unless the price copy of its variant is newer
 * than the moment that price was confirmed (then the copy's price and name, with the old price as
 * `previousUnitPrice`; a deletion of the product makes the line `unavailable`, out of the
 * totals). `copies` is by variant id (a product's own id: its first variant's, and its
 * deletion's). While the catalog is unreachable every line is `stale`: its price is the last
 * known, not confirmed. A copy in another currency than the line's is not applied (the line is
 * `stale` instead).
 */
export function priceCart(
  cart: StoredCart,
  copies: ReadonlyMap<string, PriceEntry>,
  options: { catalogReachable: boolean; defaultCurrency: string; now: Date },
): PricedCart {
  const items = cart.lines.map((line) =>
    priceLine(line, copies.get(lineKey(line)), copies.get(line.productId)),
  )
  if (!options.catalogReachable) for (const item of items) item.stale = true
  const currency = cart.lines[0]?.unitPrice.currency ?? options.defaultCurrency
  const counted = items.filter((item) => !item.unavailable)
  const result: PricedCart = {
    items,
    subtotal: { amount: counted.reduce((sum, i) => sum + i.lineTotal.amount, 0), currency },
    itemCount: counted.reduce((sum, i) => sum + i.quantity, 0),
    updatedAt: cart.version === 0 ? options.now.toISOString() : cart.updatedAt,
    version: cart.version,
  }
  if (items.some((i) => i.stale)) result.stale = true
  if (items.some((i) => i.previousUnitPrice)) result.priceChanged = true
  return result
}

/** The price copy's keys a cart's lines need: each line's variant, and its product (a deletion). */
export function priceKeys(lines: readonly CartLine[]): string[] {
  return [...new Set(lines.flatMap((l) => [lineKey(l), l.productId]))]
}

function priceLine(
  line: CartLine,
  variantCopy: PriceEntry | undefined,
  productCopy: PriceEntry | undefined,
): PricedLine {
  const base = {
    productId: line.productId,
    variantId: lineKey(line),
    ...(line.variantLabel !== undefined ? { variantLabel: line.variantLabel } : {}),
    quantity: line.quantity,
  }
  const newer = (entry: PriceEntry | undefined): entry is PriceEntry =>
    entry !== undefined && Date.parse(entry.asOf) > Date.parse(line.pricedAt)
  // The product left the catalog: its own entry says so, even for a variant the copy never saw.
  const copy = newer(productCopy) && productCopy.deleted ? productCopy : variantCopy
  if (newer(copy) && copy.deleted) {
    return {
      ...base,
      name: line.name,
      unitPrice: line.unitPrice,
      lineTotal: { amount: 0, currency: line.unitPrice.currency },
      unavailable: true,
    }
  }
  if (newer(copy) && copy.price && copy.price.currency === line.unitPrice.currency) {
    const item: PricedLine = {
      ...base,
      ...(copy.label !== undefined ? { variantLabel: copy.label } : {}),
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
  if (newer(copy)) item.stale = true
  return item
}

function times(price: Money, quantity: number): Money {
  return { amount: price.amount * quantity, currency: price.currency }
}
