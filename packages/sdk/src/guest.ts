// Guests (issue 18): a shopper without an account gets a cart token and shops with it; at
// sign-in its cart merges into the account's.
import { cartTokenHeader, type EmporiumClient } from './client.js'
import { unwrap } from './problem.js'
import type { components } from './schema.js'

type Schemas = components['schemas']

/**
 * A new guest's cart token (`POST /api/v1/auth/guest`). Send it as `X-Cart-Token` (the
 * client's `cartToken` option); a browser on the shop's origin also gets it as an HttpOnly
 * cookie the gateway sends back by itself. Throws EmporiumProblem (429 when asked too often).
 */
export async function getGuestToken(
  client: EmporiumClient,
): Promise<Schemas['PostAuthGuestResponse']> {
  return unwrap(client.POST('/api/v1/auth/guest'))
}

/**
 * Moves a guest's cart into the signed-in account's (`POST /api/v1/cart/merge`): `client`
 * carries the account's token; `cartToken` is the guest's (omit it in a browser whose cookie
 * holds it, or when the client's `cartToken` option sends it). Safe to repeat: a second merge
 * changes nothing. Lines that did not fit are in `notMerged`. Throws EmporiumProblem: 400
 * `CART.INVALID_CART_TOKEN` for a missing, bad or expired guest token.
 */
export async function mergeCart(
  client: EmporiumClient,
  cartToken?: string,
): Promise<Schemas['PostCartMergeResponse']> {
  return unwrap(
    client.POST('/api/v1/cart/merge', {
      ...(cartToken === undefined ? {} : { headers: { [cartTokenHeader]: cartToken } }),
    }),
  )
}
