import { emptyCart, lineKey, type StoredCart } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import { mutateCart } from './mutate-cart.js'
import type { CartStore } from './ports.js'
import type { ShowCart } from './show-cart.js'

/**
 * Removes a product's line of `variantId`, or every line of the product when no variant is
 * named. Idempotent, like DELETE should be: an absent line answers the cart as it is (a retried
 * DELETE is not an error). Works while the catalog is down.
 */
export function createRemoveItem(deps: { store: CartStore; showCart: ShowCart; now: () => Date }) {
  return async function removeItem(
    userId: string,
    productId: string,
    variantId?: string,
  ): Promise<PricedCart> {
    const named = (line: StoredCart['lines'][number]) =>
      line.productId === productId && (variantId === undefined || lineKey(line) === variantId)
    const current = (await deps.store.get(userId)) ?? emptyCart(userId)
    if (!current.lines.some(named)) return deps.showCart(current)
    const cart = await mutateCart(deps.store, userId, deps.now, (c) =>
      c.lines.filter((line) => !named(line)),
    )
    return deps.showCart(cart)
  }
}
