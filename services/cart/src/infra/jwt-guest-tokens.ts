import { AppError, isAppError, isGuest, type JwtVerifier } from '@emporium/platform'
import type { GuestTokens } from '../app/ports.js'

const invalidCartToken = (why: string) =>
  new AppError('invalid', 'CART.INVALID_CART_TOKEN', `The cart token ${why}.`)

/**
 * Guests' cart tokens checked by the verifier of every access token (the users service's keys,
 * the revocation list), then held to be a guest's: roles exactly `['guest']`. A token that is
 * missing, bad, expired or an account's is a 400 `CART.INVALID_CART_TOKEN` (the request's own
 * bearer token is fine: it is the cart token in the request that is wrong). Keys that cannot be
 * had stay the verifier's 503.
 */
export function createJwtGuestTokens(verifier: JwtVerifier): GuestTokens {
  return {
    async guestOf(token) {
      if (token === undefined || token === '') {
        throw invalidCartToken('is missing: send it in the x-cart-token header')
      }
      let verified
      try {
        verified = await verifier.verify(token)
      } catch (error) {
        if (isAppError(error) && error.kind === 'unauthorized') {
          throw invalidCartToken(
            error.code === 'AUTH.TOKEN_EXPIRED' ? 'has expired' : 'is not valid',
          )
        }
        throw error
      }
      if (!isGuest(verified)) throw invalidCartToken("is not a guest's")
      return verified.userId
    },
  }
}
