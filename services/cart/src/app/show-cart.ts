import { lineKey, type StoredCart } from '../domain/cart.js'
import { priceCart, priceKeys, type PricedCart } from '../domain/pricing.js'
import type { Catalog, PriceCopy } from './ports.js'

export interface ShowCartDeps {
  prices: PriceCopy
  catalog: Pick<Catalog, 'reachable'>
  defaultCurrency: string
  now: () => Date
}

/**
 * The stored cart as the customer sees it: priced from the local copy, never the catalog.
 * `pricedNow` is the variant whose price the catalog gave in this very request (add, set
 * quantity): the copy is not read for its line, since it holds nothing newer than that answer (a
 * change racing the request shows at the next read). A cart of that line alone reads nothing.
 */
export function createShowCart(deps: ShowCartDeps) {
  return async function showCart(cart: StoredCart, pricedNow?: string): Promise<PricedCart> {
    const keys = priceKeys(cart.lines.filter((l) => lineKey(l) !== pricedNow))
    const copies = keys.length > 0 ? await deps.prices.lookup(keys) : new Map()
    return priceCart(cart, copies, {
      catalogReachable: deps.catalog.reachable(),
      defaultCurrency: deps.defaultCurrency,
      now: deps.now(),
    })
  }
}
export type ShowCart = ReturnType<typeof createShowCart>
