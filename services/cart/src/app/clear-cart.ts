import { mutateCart } from './mutate-cart.js'
import type { CartWriter } from './ports.js'

/**
 * Empties a user's cart; idempotent (an empty cart, or none, is left as it is). Called by `DELETE
 * /cart`. A write, not a deletion: the cart keeps counting its versions and the orders it
 * settled, so that an order placed before the cart was emptied, confirmed after the shopper
 * filled it again, settles none of the new lines (settle-order.ts). (A confirmed order does not
 * empty the cart: it takes out only what it bought, see settle-ordered-lines.ts.)
 */
export function createClearCart(deps: { store: CartWriter; now: () => Date }) {
  return async function clearCart(userId: string): Promise<void> {
    await mutateCart(deps.store, userId, deps.now, (cart) =>
      cart.lines.length === 0 ? undefined : [],
    )
  }
}
