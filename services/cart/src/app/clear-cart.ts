import type { CartClear } from './ports.js'

/**
 * Empties a user's cart; idempotent (no cart is fine). Called by `DELETE /cart`, and by the
 * `order.confirmed` consumer of the checkout saga with the order's customer id (the cart is
 * cleared on confirmation, not at placement, so a cart being checked out survives a failed
 * order).
 */
export function createClearCart(deps: { store: CartClear }) {
  return async function clearCart(userId: string): Promise<void> {
    await deps.store.delete(userId)
  }
}
