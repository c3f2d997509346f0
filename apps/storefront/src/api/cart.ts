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
