import type { CartClear } from './ports.js'

/**
 * Empties a user's cart; idempotent (no cart is fine). Called by `DELETE /cart`. (A confirmed
 * order does not empty the cart: it takes out only what it bought, see settle-ordered-lines.ts.)
 */
export function createClearCart(deps: { store: CartClear }) {
  return async function clearCart(userId: string): Promise<void> {
    await deps.store.delete(userId)
  }
}
