import { EmporiumProblem, type CallResult, type Cart } from '@emporium/sdk'
import { createStore } from '../lib/store'
import { shop, unwrap } from './client'
import { forgetGuestCart, guestCart } from './guest'
import { session } from './session'

/** The shopper's cart as last seen, an account's or a guest's (null: not loaded, or none). */
export const cartStore = createStore<Cart | null>(null)

/** A cart with nothing in it: a signed-out shopper's before their first "Add to cart". */
export const emptyCart = (): Cart => ({
  items: [],
  subtotal: { amount: 0, currency: 'USD' },
  itemCount: 0,
  updatedAt: new Date(0).toISOString(),
})

/** Loads the cart again (after sign-in, an order, or a change elsewhere). */
export async function refreshCart(): Promise<Cart | null> {
  if (!session.get() && !guestCart.get()) {
    cartStore.set(null)
    return null
  }
  try {
    // A guest's request carries no Authorization: the gateway reads the cart cookie.
    const value = await unwrap(shop.GET('/api/v1/cart'))
    cartStore.set(value)
    return value
  } catch (failure) {
    // A guest whose cookie expired (or was cleared) has no cart any more.
    if (!session.get() && failure instanceof EmporiumProblem && failure.status === 401) {
      forgetGuestCart()
      cartStore.set(null)
      return null
    }
    throw failure
  }
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
// A guest cart begun in another tab, or one merged at sign-in, is read again.
guestCart.subscribe(() => void refreshCart().catch(() => undefined))
