import { AppError } from '@emporium/platform'
import { emptyCart, type CartLine, type StoredCart } from '../domain/cart.js'
import type { CartStore } from './ports.js'

const attempts = 5

/**
 * Read-modify-write of a cart with optimistic concurrency: `change` runs on the current cart
 * and is run again on the newer one when another write came first (two tabs adding at once).
 */
export async function mutateCart(
  store: CartStore,
  userId: string,
  now: () => Date,
  change: (cart: StoredCart) => CartLine[],
): Promise<StoredCart> {
  for (let i = 0; i < attempts; i++) {
    const current = (await store.get(userId)) ?? emptyCart(userId)
    const lines = change(current)
    const next: StoredCart = {
      userId,
      lines,
      updatedAt: now().toISOString(),
      version: current.version + 1,
    }
    if (await store.save(next, current.version)) return next
  }
  throw new AppError('conflict', 'CART.CONCURRENT_UPDATE', 'The cart changed meanwhile; try again.')
}
