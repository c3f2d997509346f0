import type { CallInit } from '../http.js'
import type { KnownProduct } from '../product-book.js'
import { between } from '../random.js'
import { isOk, withShopper, type Scenario, type ScenarioContext } from './context.js'

/**
 * Adds a product in stock to the cart (another one if it ran out meanwhile: a 409 is a
 * business outcome). Returns the product added, `sold_out` when none could be, or `failed`.
 */
export async function addInStock(
  context: ScenarioContext,
  init: CallInit,
  except: ReadonlySet<string> = new Set(),
): Promise<KnownProduct | 'sold_out' | 'failed'> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const product = context.book.pickBuyable(except)
    if (!product) return 'sold_out'
    context.book.touch(product.id)
    const reply = await context.http.call(
      'cart.add',
      (api) => api.POST('/api/v1/cart/items', { body: { productId: product.id, quantity: 1 } }),
      init,
    )
    if (isOk(reply)) return product
    if (reply.outcome.kind !== 'expected') return 'failed'
    context.book.soldOut(product.id)
  }
  return 'sold_out'
}

/** Puts a product in the cart, changes its quantity, looks at the cart, takes it out again. */
export const cart: Scenario = (context) =>
  withShopper(context, async (_shopper, init) => {
    const { http, random } = context
    const product = await addInStock(context, init)
    if (product === 'failed') return 'failed'
    if (product === 'sold_out') return 'done'
    const line = { params: { path: { productId: product.id } } }
    const quantity = between(random, 1, 3)
    const update = await http.call(
      'cart.update',
      (api) => api.PATCH('/api/v1/cart/items/{productId}', { ...line, body: { quantity } }),
      init,
    )
    if (!update.answered || update.outcome.kind === 'error') return 'failed'
    const look = await http.call('cart.view', (api) => api.GET('/api/v1/cart'), init)
    if (!isOk(look)) return 'failed'
    // Leave the cart as it was, so shoppers' carts do not grow run after run.
    const remove = await http.call(
      'cart.remove',
      (api) => api.DELETE('/api/v1/cart/items/{productId}', line),
      init,
    )
    return isOk(remove) ? 'done' : 'failed'
  })
