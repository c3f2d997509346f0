import { cookieValue } from './device-token.js'

/*
 * A guest's cart token (issue 18) reaches the gateway two ways: the `X-Cart-Token` header (API
 * clients) or the HttpOnly cookie the gateway set when the users service issued it (browsers).
 * Without `Authorization`, a request carrying one is authenticated with it as if it were the
 * bearer token, provided it is a guest's (roles exactly ['guest']): a cookie rides along on
 * requests a browser makes for any page, so an account's access token must never be accepted
 * from one (CSRF). With `Authorization`, it is forwarded as `x-cart-token` for the cart to merge.
 */

/** The cookie that holds a guest's cart token. */
export const cartCookie = 'emporium_cart'
/**
 * The header that carries a cart token (from a client; to an upstream, only as the gateway
 * forwards it).
 */
export const cartTokenHeader = 'x-cart-token'
/** Where the cookie is sent back: the API only, never the storefront's pages. */
export const cartCookiePath = '/api/v1'

/**
 * The route that issues cart tokens (its 201 sets the cookie) and the one that merges (its 200
 * clears it).
 */
export const guestTokenPath = '/api/v1/auth/guest'
export const cartMergePath = '/api/v1/cart/merge'

/** The cart token a request presents: its `X-Cart-Token` header first, else the cookie. */
export function presentedCartToken(headers: {
  cookie?: string | string[]
  [name: string]: string | string[] | undefined
}): string | undefined {
  const header = headers[cartTokenHeader]
  const fromHeader = typeof header === 'string' ? header.trim() : undefined
  if (fromHeader) return fromHeader
  const cookie = typeof headers.cookie === 'string' ? headers.cookie : headers.cookie?.join('; ')
  return cookieValue(cookie, cartCookie) || undefined
}

/** `Set-Cookie` of a new cart token, for as long as the token lasts. */
export function cartCookieHeader(token: string, maxAgeSeconds: number, secure: boolean): string {
  return (
    `${cartCookie}=${token}; HttpOnly; SameSite=Strict; Path=${cartCookiePath}; ` +
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}${secure ? '; Secure' : ''}`
  )
}

/** `Set-Cookie` that deletes the cart cookie (after a merge). */
export function clearedCartCookieHeader(secure: boolean): string {
  return cartCookieHeader('', 0, secure)
}

// A JWT's three base64url parts: nothing else may go into a cookie the gateway sets.
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

/**
 * The cart token and its lifetime in the users service's 201 body (`{ cartToken, expiresIn }`),
 * or undefined when the body is not that.
 */
export function issuedCartToken(body: string): { token: string; expiresIn: number } | undefined {
  let parsed: unknown
  try {
    parsed = JSON.parse(body)
  } catch {
    return undefined
  }
  const { cartToken, expiresIn } = (parsed ?? {}) as { cartToken?: unknown; expiresIn?: unknown }
  if (typeof cartToken !== 'string' || !jwtShape.test(cartToken)) return undefined
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)
    return undefined
  return { token: cartToken, expiresIn }
}
