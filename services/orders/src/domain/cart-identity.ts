import { createHash } from 'node:crypto'

/** A cart as the cart service showed it at placement: when it last changed, and every line. */
export interface CartSnapshot {
  /** The cart's `updatedAt` (RFC 3339): it moves on every write, the shopper's or the cart's own. */
  updatedAt: string
  /** The cart's version (its count of writes), when the cart tells it; not in the identity. */
  version?: number
  lines: ReadonlyArray<{
    productId: string
    /** The line's variant; the product's id for its first variant. */
    variantId?: string
    quantity: number
    unavailable?: boolean
  }>
}

/**
 * Which cart an order was placed from, as a hex SHA-256 of the cart's `updatedAt` and its lines
 * (product, units, unavailable, and the variant of a product's other variants) in the cart's
 * order. Two placements read the same identity while
 * the cart is unchanged; any write (the shopper's, or the cart taking the ordered lines out on
 * `order.confirmed`) gives a new one. An order keeps its identity for ever: a cart that was
 * settled never shows that `updatedAt` again, so only orders that still hold the cart collide.
 */
export function cartIdentity(cart: CartSnapshot): string {
  // A variant counts only where it is not the product's first: a cart of products without
  // options keeps the identity it had before variants, which orders in flight hold.
  const lines = cart.lines.map((l) =>
    l.variantId === undefined || l.variantId === l.productId
      ? [l.productId, l.quantity, l.unavailable === true]
      : [l.productId, l.quantity, l.unavailable === true, l.variantId],
  )
  return createHash('sha256')
    .update(JSON.stringify([cart.updatedAt, lines]))
    .digest('hex')
}
