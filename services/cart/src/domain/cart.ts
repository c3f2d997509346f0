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
  /**
   * The variant (issue 17): a line is one variant of a product. Absent in lines stored before
   * variants, which were of the product's first variant, whose id is the product's.
   */
  variantId?: string
  /** The variant's option values for display (`M / Blue`); absent without options. */
  variantLabel?: string
  name: string
  unitPrice: Money
  quantity: number
  /** When the catalog confirmed `unitPrice` (RFC 3339); a newer price copy takes over. */
  pricedAt: string
  /**
   * The cart version whose write put this line in the cart (a line taken out and added again
   * starts anew): settling an order placed from an earlier version leaves the line alone (see
   * settle-order.ts). Absent in lines stored before it existed, which read as 0.
   */
  since?: number
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

/** The variant a line is of: its own id, or the product's (its first variant) for older lines. */
export function lineKey(line: { productId: string; variantId?: string }): string {
  return line.variantId ?? line.productId
}

/**
 * Each line's `since`: a line of a variant the cart held before this write keeps the version
 * that put it there (older lines have none: 0), one new to the cart gets this write's
 * `version`, whichever change made it (an add, a merge). The changes build lines afresh, so it
 * is set here, for all of them.
 */
export function stampSince(before: CartLine[], after: CartLine[], version: number): CartLine[] {
  const held = new Map(before.map((line) => [lineKey(line), line.since ?? 0]))
  return after.map((line) => {
    const since = held.get(lineKey(line))
    if (since === undefined) return { ...line, since: version }
    if ((line.since ?? 0) === since) return line
    return since === 0 ? withoutSince(line) : { ...line, since }
  })
}

function withoutSince(line: CartLine): CartLine {
  const { since: _since, ...rest } = line
  return rest
}

/** One variant of a product, as the catalog tells it. */
export interface CatalogVariant {
  variantId: string
  label?: string
  unitPrice: Money
  /** Units that can still be bought. */
  available: number
}

/** What the catalog says of a product at the moment it is added or updated. */
export interface CatalogProduct {
  productId: string
  name: string
  /** At least one; a product without options has one, whose id is the product's. */
  variants: CatalogVariant[]
}

/** The variant of a product that a line is of, as the catalog tells it now. */
export interface PricedProduct {
  productId: string
  variantId: string
  variantLabel?: string
  name: string
  unitPrice: Money
  /** Units that can still be bought. */
  available: number
}

/**
 * The variant of `product` a shopper chose: `variantId`, or the product's only one. 404
 * `CART.VARIANT_NOT_FOUND` for a variant it does not have; 422 `CART.VARIANT_REQUIRED` when it
 * has several and none was chosen.
 */
export function chooseVariant(product: CatalogProduct, variantId?: string): PricedProduct {
  const variant =
    variantId !== undefined
      ? product.variants.find((v) => v.variantId === variantId)
      : product.variants.length === 1
        ? product.variants[0]
        : undefined
  if (variant === undefined && variantId !== undefined) {
    throw new AppError('not_found', 'CART.VARIANT_NOT_FOUND', 'The product has no such variant.')
  }
  if (variant === undefined) {
    throw new AppError(
      'unprocessable',
      'CART.VARIANT_REQUIRED',
      `This product comes in ${product.variants.length} variants: choose one (variantId).`,
      {
        details: {
          errors: [{ path: '/body/variantId', message: 'is required for this product' }],
          variants: product.variants.map((v) => v.variantId),
        },
      },
    )
  }
  return {
    productId: product.productId,
    variantId: variant.variantId,
    ...(variant.label !== undefined ? { variantLabel: variant.label } : {}),
    name: product.name,
    unitPrice: variant.unitPrice,
    available: variant.available,
  }
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
 * Adds `quantity` units of a variant (merging with its line, whose name and price are
 * refreshed; another variant of the same product is another line). Conflicts, all 409: the
 * merged quantity above 99 (the request alone is valid, the cart's state makes it impossible),
 * above what is available, a 101st line, another currency.
 */
export function addLine(
  cart: StoredCart,
  product: PricedProduct,
  quantity: number,
  now: Date,
): CartLine[] {
  const existing = cart.lines.find((line) => lineKey(line) === product.variantId)
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
    ? cart.lines.map((l) => (lineKey(l) === product.variantId ? line : l))
    : [...cart.lines, line]
}

/** Sets an existing line's quantity (1..99; 0 is removeLine's job). 404 when the line is absent. */
export function setLineQuantity(
  cart: StoredCart,
  product: PricedProduct,
  quantity: number,
  now: Date,
): CartLine[] {
  requireLine(cart, product.variantId)
  checkCurrency(cart, product)
  checkAvailable(product, quantity)
  const line = lineOf(product, quantity, now)
  return cart.lines.map((l) => (lineKey(l) === product.variantId ? line : l))
}

/** The lines without the variant's (`key`: a variant id); 404 when it is not in the cart. */
export function removeLine(cart: StoredCart, key: string): CartLine[] {
  requireLine(cart, key)
  return cart.lines.filter((line) => lineKey(line) !== key)
}

/** The line of a variant (`key`: a variant id); 404 when the cart has none. */
export function requireLine(cart: StoredCart, key: string): CartLine {
  const line = cart.lines.find((l) => lineKey(l) === key)
  if (!line)
    throw new AppError('not_found', 'CART.LINE_NOT_FOUND', 'This product is not in the cart.')
  return line
}

/**
 * The key of the line a request names by product, and variant when it gives one: that variant's
 * line, or the product's only line. 404 when there is none; 422 `CART.VARIANT_REQUIRED` when the
 * cart holds several variants of the product and the request named none.
 */
export function lineOfProduct(cart: StoredCart, productId: string, variantId?: string): string {
  if (variantId !== undefined) {
    const line = requireLine(cart, variantId)
    if (line.productId !== productId) {
      throw new AppError('not_found', 'CART.LINE_NOT_FOUND', 'This product is not in the cart.')
    }
    return variantId
  }
  const lines = cart.lines.filter((l) => l.productId === productId)
  if (lines.length === 0) {
    throw new AppError('not_found', 'CART.LINE_NOT_FOUND', 'This product is not in the cart.')
  }
  if (lines.length > 1) {
    throw new AppError(
      'unprocessable',
      'CART.VARIANT_REQUIRED',
      `The cart holds ${lines.length} variants of this product: choose one (?variantId=).`,
      {
        details: {
          errors: [{ path: '/querystring/variantId', message: 'is required for this product' }],
          variants: lines.map(lineKey),
        },
      },
    )
  }
  return lineKey(lines[0]!)
}

function lineOf(product: PricedProduct, quantity: number, now: Date): CartLine {
  return {
    productId: product.productId,
    variantId: product.variantId,
    ...(product.variantLabel !== undefined ? { variantLabel: product.variantLabel } : {}),
    name: product.name,
    unitPrice: { ...product.unitPrice },
    quantity,
    pricedAt: now.toISOString(),
  }
}

// One currency per cart: a subtotal of mixed currencies means nothing.
function checkCurrency(cart: StoredCart, product: PricedProduct): void {
  const other = cart.lines.find(
    (l) => lineKey(l) !== product.variantId && l.unitPrice.currency !== product.unitPrice.currency,
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
      `Only ${product.available} units of this ${product.variantLabel ? 'variant' : 'product'} are available.`,
      { details: { available: product.available, requested: quantity } },
    )
  }
}
