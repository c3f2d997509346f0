import { lineOfProduct, removeLine, setLineQuantity } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import { requireProduct, type ItemDeps } from './add-item.js'
import { mutateCart } from './mutate-cart.js'

/**
 * Sets the quantity of a product's line (of `variantId`, or the product's only line) at the
 * catalog's current price; 0 removes the line (without asking the catalog). 404 when the line is
 * absent and 422 when the cart holds several variants of the product and none was named, both
 * checked before the catalog is asked.
 */
export function createUpdateItem(deps: ItemDeps) {
  return async function updateItem(
    userId: string,
    productId: string,
    quantity: number,
    variantId?: string,
  ): Promise<PricedCart> {
    if (quantity === 0) {
      const cart = await mutateCart(deps.store, userId, deps.now, (c) =>
        removeLine(c, lineOfProduct(c, productId, variantId)),
      )
      return deps.showCart(cart)
    }
    const before = await deps.store.get(userId)
    const key = before ? lineOfProduct(before, productId, variantId) : (variantId ?? productId)
    const product = await requireProduct(deps.catalog, productId, key)
    const cart = await mutateCart(
      deps.store,
      userId,
      deps.now,
      (current) => setLineQuantity(current, product, quantity, deps.now()),
      { announceStart: true },
    )
    return deps.showCart(cart, product.variantId)
  }
}
