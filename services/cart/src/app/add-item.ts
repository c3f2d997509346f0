import { AppError } from '@emporium/platform/app'
import { addLine, chooseVariant } from '../domain/cart.js'
import type { PricedCart } from '../domain/pricing.js'
import { mutateCart } from './mutate-cart.js'
import type { Catalog, CartStore } from './ports.js'
import type { ShowCart } from './show-cart.js'

export interface ItemDeps {
  store: CartStore
  catalog: Catalog
  showCart: ShowCart
  now: () => Date
}

/**
 * Adds units of a product's variant (the chosen one, or the product's only one) at the
 * catalog's current price and name, merging with that variant's line.
 */
export function createAddItem(deps: ItemDeps) {
  return async function addItem(
    userId: string,
    input: { productId: string; variantId?: string; quantity: number },
  ): Promise<PricedCart> {
    const product = await requireProduct(deps.catalog, input.productId, input.variantId)
    const cart = await mutateCart(
      deps.store,
      userId,
      deps.now,
      (current) => addLine(current, product, input.quantity, deps.now()),
      { announceStart: true },
    )
    return deps.showCart(cart, product.variantId)
  }
}

/** The product's variant now: 404 for an unknown product or variant, 422 when one must be chosen. */
export async function requireProduct(catalog: Catalog, productId: string, variantId?: string) {
  const product = await catalog.product(productId)
  if (!product) throw new AppError('not_found', 'CART.PRODUCT_NOT_FOUND', 'No such product.')
  return chooseVariant(product, variantId)
}
