import { removeLine, requireLine, setLineQuantity } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import { requireProduct, type ItemDeps } from './add-item.js'
import { mutateCart } from './mutate-cart.js'

/**
 * Sets a line's quantity at the catalog's current price; 0 removes the line (without asking the
 * catalog). 404 when the line is absent, checked before the catalog is asked.
 */
export function createUpdateItem(deps: ItemDeps) {
  return async function updateItem(
    userId: string,
    productId: string,
    quantity: number,
  ): Promise<PricedCart> {
    if (quantity === 0) {
      const cart = await mutateCart(deps.store, userId, deps.now, (c) => removeLine(c, productId))
      return deps.showCart(cart)
    }
    const before = await deps.store.get(userId)
    if (before) requireLine(before, productId)
    const product = await requireProduct(deps.catalog, productId)
    const cart = await mutateCart(deps.store, userId, deps.now, (current) =>
      setLineQuantity(current, product, quantity, deps.now()),
    )
    return deps.showCart(cart, product.productId)
  }
}
