import type { cart } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { emptyCart, stampSince, type StoredCart } from '../domain/cart.js'
import { mergeLines, type NotMergedLine } from '../domain/merge-carts.js'
import type { CartStore, GuestTokens } from './ports.js'
import type { ShowCart } from './show-cart.js'

export interface MergeCartDeps {
  store: Pick<CartStore, 'get' | 'saveAll'>
  guests: GuestTokens
  showCart: ShowCart
  now: () => Date
}

const attempts = 5

/**
 * At sign-in, a guest's cart moves into the account's (domain/merge-carts.ts): both carts are
 * written in one compare-and-set of the two (the account's with the lines, the guest's emptied),
 * so a merge is all or nothing and a concurrent change of either cart makes it start over on the
 * newer carts. Idempotent: an empty (or already merged) guest cart writes nothing and answers
 * the account's cart. The guest is the one the cart token names, verified as every access token.
 */
export function createMergeCart(deps: MergeCartDeps) {
  return async function mergeCart(
    userId: string,
    cartToken: string | undefined,
  ): Promise<cart.MergeCartResponse> {
    const guestId = await deps.guests.guestOf(cartToken)
    for (let i = 0; i < attempts; i++) {
      const target = (await deps.store.get(userId)) ?? emptyCart(userId)
      const guest = await deps.store.get(guestId)
      if (!guest || guest.lines.length === 0) return answer(target, 0, [])
      const { lines, mergedLines, notMerged } = mergeLines(target, guest)
      const updatedAt = deps.now().toISOString()
      const version = target.version + 1
      const merged: StoredCart = {
        ...target,
        lines: stampSince(target.lines, lines, version),
        updatedAt,
        version,
      }
      const emptied: StoredCart = { ...guest, lines: [], updatedAt, version: guest.version + 1 }
      const written = await deps.store.saveAll([
        { cart: merged, expectedVersion: target.version },
        { cart: emptied, expectedVersion: guest.version },
      ])
      if (written) return answer(merged, mergedLines, notMerged)
    }
    throw new AppError(
      'conflict',
      'CART.CONCURRENT_UPDATE',
      'The cart changed meanwhile; try again.',
    )
  }

  async function answer(
    stored: StoredCart,
    mergedLines: number,
    notMerged: NotMergedLine[],
  ): Promise<cart.MergeCartResponse> {
    return { ...(await deps.showCart(stored)), mergedLines, notMerged }
  }
}
