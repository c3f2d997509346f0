import { describe, expect, it } from 'vitest'
import { cookieValue, createDeviceTokens } from './device-token.js'

const day = 86_400_000
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const flipSpareBit = (char: string) => alphabet[alphabet.indexOf(char) ^ 1]!
const now = Date.UTC(2026, 11, 2)

describe('device tokens', () => {
  const tokens = createDeviceTokens(['k'.repeat(32)], 30 * day)

  it('name a device for one account, until they expire', () => {
    const token = tokens.issue('acct:a', now)
    const device = tokens.verify(token, 'acct:a', now + 29 * day)
    expect(device).toMatch(/^[\w-]{22}$/)
    expect(token.startsWith(`${device}.`)).toBe(true)
    expect(tokens.verify(token, 'acct:b', now)).toBeUndefined()
    expect(tokens.verify(token, 'acct:a', now + 30 * day)).toBeUndefined()
    // Renewed with the same device id.
    expect(tokens.verify(tokens.issue('acct:a', now, device), 'acct:a', now)).toBe(device)
  })

  it('refuse tampered, foreign and malformed tokens', () => {
    const token = tokens.issue('acct:a', now)
    const [device, issued, mac] = token.split('.') as [string, string, string]
    const other = createDeviceTokens(['o'.repeat(32)], 30 * day)
    for (const bad of [
      `${device}.${Number(issued) + 1}.${mac}`,
      `${'A'.repeat(22)}.${issued}.${mac}`,
      // A character of the MAC changed (one all of whose bits count), and the last one's
      // spare bits (16 bytes in 22 characters: its low four bits decode to nothing).
      `${device}.${issued}.${mac.slice(0, 5)}${mac[5] === 'A' ? 'B' : 'A'}${mac.slice(6)}`,
      `${device}.${issued}.${mac.slice(0, -1)}${flipSpareBit(mac.at(-1)!)}`,
      `${token}==`,
      other.issue('acct:a', now),
      '',
      'a.b',
      `${token}.x`,
    ]) {
      expect(tokens.verify(bad, 'acct:a', now), bad).toBeUndefined()
    }
  })

  it('verify with every key and sign with the first (rotation)', () => {
    const old = createDeviceTokens(['o'.repeat(32)], 30 * day)
    const rotated = createDeviceTokens(['n'.repeat(32), 'o'.repeat(32)], 30 * day)
    const device = old.verify(old.issue('acct:a', now), 'acct:a', now)
    expect(rotated.verify(old.issue('acct:a', now, device), 'acct:a', now)).toBe(device)
    expect(old.verify(rotated.issue('acct:a', now), 'acct:a', now)).toBeUndefined()
  })

  it('are read from a cookie header', () => {
    expect(cookieValue('a=1; emporium_device=x.y.z ;b=2', 'emporium_device')).toBe('x.y.z')
    expect(cookieValue('xemporium_device=1', 'emporium_device')).toBeUndefined()
    expect(cookieValue(undefined, 'emporium_device')).toBeUndefined()
  })
})
