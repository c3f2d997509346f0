import Type from 'typebox'
import { defineEvent } from '../events.js'

/* Events published by the cart service (issue 19; DESIGN.md, "Reporting"). */

/** Data of `cart.started` v1. */
export const CartStartedData = Type.Object({
  /** The cart's owner: the account's user id, or the guest id (`guest_<uuid>`) of a guest cart. */
  cartId: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The cart's owner: a user id, or the guest id of a guest cart.",
  }),
  /** Whether it is a guest's cart (a cart token's, not an account's). */
  guest: Type.Boolean({ description: "Whether it is a guest's cart." }),
  /** When its first line was added, RFC 3339 UTC. */
  at: Type.String({ format: 'date-time', description: 'When its first line was added.' }),
})
export type CartStartedData = Type.Static<typeof CartStartedData>

/**
 * A cart went from no lines to some (an add, or a quantity set on an empty cart): a shopper
 * started shopping. Not told of a merge at sign-in (the guest's cart was told), nor of an order
 * settling lines. A cart emptied and filled again starts again. Published by the cart service
 * only; reporting counts the day's carts from it.
 */
export const CartStarted = defineEvent('cart.started', 1, CartStartedData)
