import { AppError } from '@emporium/platform/errors'

/** Integer minor units and an ISO 4217 code (the contracts' Money, without the I/O). */
export interface Money {
  amount: number
  currency: string
}

export const maxLineQuantity = 99
export const maxCartLines = 100

/** A line as stored: the name and price the catalog gave when it was last added or updated. */
export interface CartLine {
  productId: string
  name: string
  unitPrice: Money
  quantity: number
  /** When the catalog confirmed `unitPrice` (RFC 3339); a newer price copy takes over. */
  pricedAt: string
}

/** A customer's cart as stored. `version` counts writes (optimistic concurrency); 0 = none. */
export interface StoredCart {
  userId: string
  lines: CartLine[]
  updatedAt: string
  version: number
  /**
   * Ids of the last orders whose lines were taken out of this cart, oldest first (see
   * settle-order.ts): a redelivered confirmation finds its order here and changes nothing.
   * Carts stored before the list existed read as empty.
   */
  settledOrderIds: string[]
}

/** What the catalog says of a product at the moment it is added or updated. */
export interface PricedProduct {
  productId: string
  name: string
  unitPrice: Money
  /** Units that can still be bought. */
  available: number
}

export function emptyCart(userId: string): StoredCart {
  return {
    userId,
    lines: [],
    updatedAt: new Date(0).toISOString(),
    version: 0,
    settledOrderIds: [],
  }
}

/**
 * Adds `quantity` units (merging with an existing line, whose name and price are refreshed).
 * Conflicts, all 409: the merged quantity above 99 (the request alone is valid, the cart's
 * state makes it impossible), above what is available, a 101st line, another currency.
 */
export function addLine(
  cart: StoredCart,
  product: PricedProduct,
  quantity: number,
  now: Date,
): CartLine[] {
  const existing = cart.lines.find((line) => line.productId === product.productId)
  const merged = (existing?.quantity ?? 0) + quantity
  if (merged > maxLineQuantity) {
    throw new AppError(
      'conflict',
      'CART.QUANTITY_LIMIT',
      `A line holds at most ${maxLineQuantity} units; the cart already has ${existing?.quantity ?? 0}.`,
      { details: { max: maxLineQuantity, inCart: existing?.quantity ?? 0 } },
    )
  }
  if (!existing && cart.lines.length >= maxCartLines) {
    throw new AppError(
      'conflict',
      'CART.TOO_MANY_LINES',
      `A cart holds at most ${maxCartLines} lines.`,
    )
  }
  checkCurrency(cart, product)
  checkAvailable(product, merged)
  const line = lineOf(product, merged, now)
  return existing
    ? cart.lines.map((l) => (l.productId === product.productId ? line : l))
    : [...cart.lines, line]
}

/** Sets an existing line's quantity (1..99; 0 is removeLine's job). 404 when the line is absent. */
export function setLineQuantity(
  cart: StoredCart,
  product: PricedProduct,
  quantity: number,
  now: Date,
): CartLine[] {
  requireLine(cart, product.productId)
  checkCurrency(cart, product)
  checkAvailable(product, quantity)
  const line = lineOf(product, quantity, now)
  return cart.lines.map((l) => (l.productId === product.productId ? line : l))
}

/** The lines without the product's; 404 when it is not in the cart. */
export function removeLine(cart: StoredCart, productId: string): CartLine[] {
  requireLine(cart, productId)
  return cart.lines.filter((line) => line.productId !== productId)
}

export function requireLine(cart: StoredCart, productId: string): CartLine {
  const line = cart.lines.find((l) => l.productId === productId)
  if (!line)
    throw new AppError('not_found', 'CART.LINE_NOT_FOUND', 'This product is not in the cart.')
  return line
}

function lineOf(product: PricedProduct, quantity: number, now: Date): CartLine {
  return {
    productId: product.productId,
    name: product.name,
    unitPrice: { ...product.unitPrice },
    quantity,
    pricedAt: now.toISOString(),
  }
}

// One currency per cart: a subtotal of mixed currencies means nothing.
function checkCurrency(cart: StoredCart, product: PricedProduct): void {
  const other = cart.lines.find(
    (l) => l.productId !== product.productId && l.unitPrice.currency !== product.unitPrice.currency,
  )
  if (other) {
    throw new AppError(
      'conflict',
      'CART.CURRENCY_MISMATCH',
      `The cart is in ${other.unitPrice.currency}; this product is priced in ${product.unitPrice.currency}.`,
    )
  }
}

function checkAvailable(product: PricedProduct, quantity: number): void {
  if (quantity > product.available) {
    throw new AppError(
      'conflict',
      'CART.NOT_ENOUGH_STOCK',
      `Only ${product.available} units of this product are available.`,
      { details: { available: product.available, requested: quantity } },
    )
  }
}
