import { AppError, guestIdPrefix } from '@emporium/platform/app'
import { emptyCart, stampSince, type CartLine, type StoredCart } from '../domain/cart.js'
import type { CartStart, CartWriter } from './ports.js'

const attempts = 5

/**
 * What a change makes of the cart: its new lines (the settled list kept as it is), new lines and
 * settled list, or `undefined` to leave the cart unwritten.
 */
export type CartChange = (
  cart: StoredCart,
) => CartLine[] | Pick<StoredCart, 'lines' | 'settledOrderIds'> | undefined

export interface MutateOptions {
  /**
   * Whether a write that takes the cart from no lines to some tells `cart.started` (a shopper's
   * add or quantity set; not a merge, a settlement or a removal).
   */
  announceStart?: boolean
}

/**
 * Read-modify-write of a cart with optimistic concurrency: `change` runs on the current cart
 * and is run again on the newer one when another write came first (two tabs adding at once, an
 * order settling while the shopper adds). Answers the cart as written, or as it is when
 * `change` left it alone (possibly the empty cart of version 0, which is not stored).
 */
export async function mutateCart(
  store: CartWriter,
  userId: string,
  now: () => Date,
  change: CartChange,
  options: MutateOptions = {},
): Promise<StoredCart> {
  for (let i = 0; i < attempts; i++) {
    const current = (await store.get(userId)) ?? emptyCart(userId)
    const changed = change(current)
    if (changed === undefined) return current
    const version = current.version + 1
    const next: StoredCart = {
      userId,
      lines: stampSince(current.lines, Array.isArray(changed) ? changed : changed.lines, version),
      settledOrderIds: Array.isArray(changed) ? current.settledOrderIds : changed.settledOrderIds,
      updatedAt: now().toISOString(),
      version,
    }
    // Decided on the cart this attempt read: of two racing first adds, only the one whose
    // compare-and-set wins found the cart empty and tells it.
    const started =
      options.announceStart && current.lines.length === 0 && next.lines.length > 0
        ? cartStart(next)
        : undefined
    if (await store.save(next, current.version, started)) return next
  }
  throw new AppError('conflict', 'CART.CONCURRENT_UPDATE', 'The cart changed meanwhile; try again.')
}

/** What `cart.started` tells of `cart`, written just now with its first line. */
export function cartStart(cart: StoredCart): CartStart {
  return { cartId: cart.userId, guest: cart.userId.startsWith(guestIdPrefix), at: cart.updatedAt }
}
