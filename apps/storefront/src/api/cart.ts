import type { cart } from '@emporium/contracts'
import { createStore } from '../lib/store'
import { api } from './client'
import { session } from './session'

/** The signed-in shopper's cart as last seen (null: not loaded or signed out). */
export const cartStore = createStore<cart.Cart | null>(null)

/** Loads the cart again (after sign-in, an order, or a change elsewhere). */
export async function refreshCart(): Promise<cart.Cart | null> {
  if (!session.get()) {
    cartStore.set(null)
    return null
  }
  const value = await api<cart.Cart>('/cart', { auth: true })
  cartStore.set(value)
  return value
}

/** Applies a cart change and shares the cart it answers with. */
export async function changeCart(path: string, method: string, body?: unknown): Promise<cart.Cart> {
  const value = await api<cart.Cart>(path, { method, body, auth: true })
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
