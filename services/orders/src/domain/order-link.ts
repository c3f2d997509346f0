import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Guests' order links (issue 18): a guest's order is reachable without its cart token only
 * through a link mailed to the address it was placed with. The link's token is
 * `<orderId>.<expires>.<mac>`: the MAC (HMAC-SHA-256, 128 bits) covers the order id and the
 * expiry (epoch seconds), so a token names one order, cannot be made for another, and ends.
 * Nothing is stored per link. `keys`: the first signs, every one verifies (rotation).
 */
export interface OrderLinks {
  issue(orderId: string, now: Date): string
  /** The order id, when `token` is a valid, unexpired link; else undefined. */
  verify(token: string, now: Date): string | undefined
}

const orderIdPattern = /^[A-Za-z0-9-]{1,64}$/

export function createOrderLinks(keys: readonly string[], lifetimeMs: number): OrderLinks {
  if (keys.length === 0) throw new Error('order links need at least one key')
  const mac = (key: string, orderId: string, expires: string) =>
    createHmac('sha256', key).update(`order-link.${orderId}.${expires}`).digest().subarray(0, 16)
  return {
    issue(orderId, now) {
      const expires = String(Math.floor((now.getTime() + lifetimeMs) / 1000))
      return `${orderId}.${expires}.${mac(keys[0]!, orderId, expires).toString('base64url')}`
    },
    verify(token, now) {
      if (token.length > 160) return undefined
      const parts = token.split('.')
      if (parts.length !== 3) return undefined
      const [orderId, expires, given] = parts as [string, string, string]
      if (!orderIdPattern.test(orderId) || !/^\d{1,12}$/.test(expires)) return undefined
      if (Number(expires) * 1000 <= now.getTime()) return undefined
      const presented = Buffer.from(given, 'base64url')
      // One spelling per MAC: the decoder ignores the last character's spare bits, and other
      // characters (padding, '+') than the link's own.
      if (presented.length !== 16 || presented.toString('base64url') !== given) return undefined
      for (const key of keys) {
        if (timingSafeEqual(presented, mac(key, orderId, expires))) return orderId
      }
      return undefined
    },
  }
}
