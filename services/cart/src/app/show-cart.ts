import type { StoredCart } from '../domain/cart.js'
import { priceCart, type PricedCart } from '../domain/pricing.js'
import type { Catalog, PriceCopy } from './ports.js'

export interface ShowCartDeps {
  prices: PriceCopy
  catalog: Pick<Catalog, 'reachable'>
  defaultCurrency: string
  now: () => Date
}

/** The stored cart as the customer sees it: priced from the local copy, never the catalog. */
export function createShowCart(deps: ShowCartDeps) {
  return async function showCart(cart: StoredCart): Promise<PricedCart> {
    const copies = cart.lines.length
      ? await deps.prices.lookup(cart.lines.map((l) => l.productId))
      : new Map()
    return priceCart(cart, copies, {
      catalogReachable: deps.catalog.reachable(),
      defaultCurrency: deps.defaultCurrency,
      now: deps.now(),
    })
  }
}
export type ShowCart = ReturnType<typeof createShowCart>
