import { emptyCart, removeLine } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import { mutateCart } from './mutate-cart.js'
import type { CartStore } from './ports.js'
import type { ShowCart } from './show-cart.js'

/**
 * Removes a line. Idempotent, like DELETE should be: an absent line answers the cart as it is
 * (a retried DELETE is not an error). Works while the catalog is down.
 */
export function createRemoveItem(deps: { store: CartStore; showCart: ShowCart; now: () => Date }) {
  return async function removeItem(userId: string, productId: string): Promise<PricedCart> {
    const current = (await deps.store.get(userId)) ?? emptyCart(userId)
    if (!current.lines.some((l) => l.productId === productId)) return deps.showCart(current)
    const cart = await mutateCart(deps.store, userId, deps.now, (c) =>
      c.lines.some((l) => l.productId === productId) ? removeLine(c, productId) : c.lines,
    )
    return deps.showCart(cart)
  }
}
