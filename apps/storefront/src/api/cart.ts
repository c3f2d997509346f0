import type { CallResult, Cart } from '@emporium/sdk'
import { createStore } from '../lib/store'
import { shop, unwrap } from './client'
import { session } from './session'

/** The signed-in shopper's cart as last seen (null: not loaded or signed out). */
export const cartStore = createStore<Cart | null>(null)

/** Loads the cart again (after sign-in, an order, or a change elsewhere). */
export async function refreshCart(): Promise<Cart | null> {
  if (!session.get()) {
    cartStore.set(null)
    return null
  }
  const value = await unwrap(shop.GET('/api/v1/cart'))
  cartStore.set(value)
  return value
}

/**
 * Reads the cart until none of an order's products is in it any more (the cart service settles
 * an order's lines when it hears `order.confirmed`, a moment after the order page may), so the
 * header's count follows checkout. Gives up after about half a minute: a shopper may have put
 * the same product back meanwhile.
 */
export async function refreshCartAfterOrder(
  productIds: readonly string[],
  signal: AbortSignal,
): Promise<void> {
  const ordered = new Set(productIds)
  for (let attempt = 0, delay = 500; attempt < 12 && !signal.aborted; attempt++) {
    const value = await refreshCart().catch(() => undefined)
    if (signal.aborted) return
    if (value !== undefined && !value?.items.some((line) => ordered.has(line.productId))) return
    await new Promise((resolve) => setTimeout(resolve, delay))
    delay = Math.min(delay * 2, 4_000)
  }
}

/** Applies a cart change (a call that answers with the cart) and shares the cart it answers. */
export async function changeCart(change: Promise<CallResult<Cart>>): Promise<Cart> {
  const value = await unwrap(change)
  cartStore.set(value)
  return value
}

let signedIn = session.get() !== null
session.subscribe((value) => {
  if ((value !== null) === signedIn) return
  signedIn = value !== null
  if (signedIn) void refreshCart().catch(() => undefined)
  else cartStore.set(null)
})
