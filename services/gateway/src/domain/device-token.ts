import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * Device tokens (OWASP "Slow Down Online Guessing Attacks with Device Cookies"): after a
 * successful login the gateway gives the client a token that binds a random device id to that
 * account. A later login to the same account that presents it is from a client known to have
 * held the password: it is limited on its own (per device) and never waits out the delays that
 * strangers' failures put on the account. Nothing is stored: the token is `device.issued.mac`,
 * the MAC (HMAC-SHA-256, 128 bits) covering the device id, the account key and the issue time.
 */
export interface DeviceTokens {
  /** A token for `account`, keeping the device id of `device` when one is given. */
  issue(account: string, now: number, device?: string): string
  /** The device id, when `token` is valid for `account` and not expired; else undefined. */
  verify(token: string, account: string, now: number): string | undefined
}

/**
 * `keys`: the first signs, every one verifies (rotation: add the new key first, drop the old
 * one after the lifetime). `lifetimeMs`: how long a token is honoured.
 */
export function createDeviceTokens(keys: readonly string[], lifetimeMs: number): DeviceTokens {
  if (keys.length === 0) throw new Error('device tokens need at least one key')
  const mac = (key: string, device: string, account: string, issued: string) =>
    createHmac('sha256', key).update(`${device}.${account}.${issued}`).digest().subarray(0, 16)

  return {
    issue(account, now, device = randomBytes(16).toString('base64url')) {
      const issued = String(Math.floor(now / 1000))
      return `${device}.${issued}.${mac(keys[0]!, device, account, issued).toString('base64url')}`
    },
    verify(token, account, now) {
      const parts = token.split('.')
      if (parts.length !== 3) return undefined
      const [device, issued, given] = parts as [string, string, string]
      if (!/^[\w-]{22}$/.test(device) || !/^\d{1,12}$/.test(issued)) return undefined
      if (Number(issued) * 1000 + lifetimeMs <= now) return undefined
      const presented = Buffer.from(given, 'base64url')
      // One spelling per MAC: the decoder ignores the last character's spare bits and padding.
      if (presented.length !== 16 || presented.toString('base64url') !== given) return undefined
      for (const key of keys) {
        if (timingSafeEqual(presented, mac(key, device, account, issued))) return device
      }
      return undefined
    },
  }
}

/** The value of cookie `name` in a `cookie` header, if any. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=')
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim()
  }
  return undefined
}
