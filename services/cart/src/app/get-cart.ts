import { emptyCart } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import type { CartStore } from './ports.js'
import type { ShowCart } from './show-cart.js'

/** The caller's cart; an empty one when there is none. Works while the catalog is down. */
export function createGetCart(deps: { store: CartStore; showCart: ShowCart }) {
  return async function getCart(userId: string): Promise<PricedCart> {
    return deps.showCart((await deps.store.get(userId)) ?? emptyCart(userId))
  }
}
