import { describe, expect, it } from 'vitest'
import { createOrderLinks } from './order-link.js'

const key = 'k'.repeat(32)
const day = 86_400_000
const at = new Date('2026-12-01T00:00:00Z')

describe('order links', () => {
  it('name the order they were issued for until they expire', () => {
    const links = createOrderLinks([key], day)
    const token = links.issue('order-1', at)
    expect(links.verify(token, at)).toBe('order-1')
    expect(links.verify(token, new Date(at.getTime() + day - 1000))).toBe('order-1')
    expect(links.verify(token, new Date(at.getTime() + day))).toBeUndefined()
  })

  it('cannot be moved to another order or forged', () => {
    const links = createOrderLinks([key], day)
    const [, expires, mac] = links.issue('order-1', at).split('.')
    expect(links.verify(`order-2.${expires}.${mac}`, at)).toBeUndefined()
    expect(links.verify(`order-1.${Number(expires) + 1000}.${mac}`, at)).toBeUndefined()
    expect(links.verify(createOrderLinks(['x'.repeat(32)], day).issue('order-1', at), at)).toBe(
      undefined,
    )
    for (const bad of ['', 'a.b', 'a.b.c.d', 'order-1.12.', 'ord er.1.AAAA', 'x'.repeat(500)]) {
      expect(links.verify(bad, at)).toBeUndefined()
    }
  })

  it('has one spelling: the MAC with other spare bits, padding or base64 characters is refused', () => {
    const links = createOrderLinks([key], day)
    const token = links.issue('order-1', at)
    const [id, expires, mac] = token.split('.') as [string, string, string]
    // 16 bytes in 22 characters: the last one's low four bits are spare.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const last = alphabet.indexOf(mac.at(-1)!)
    const spare = alphabet[last ^ 1]!
    expect(Buffer.from(mac.slice(0, -1) + spare, 'base64url')).toEqual(
      Buffer.from(mac, 'base64url'),
    )
    expect(links.verify(`${id}.${expires}.${mac.slice(0, -1)}${spare}`, at)).toBeUndefined()
    expect(links.verify(`${token}==`, at)).toBeUndefined()
    const standard = Buffer.from(mac, 'base64url').toString('base64').replace(/=+$/, '')
    if (standard !== mac) expect(links.verify(`${id}.${expires}.${standard}`, at)).toBeUndefined()
    expect(links.verify(token, at)).toBe('order-1')
  })

  it('verify with every key of a rotation, and sign with the first', () => {
    const old = createOrderLinks([key], day)
    const rotated = createOrderLinks(['n'.repeat(32), key], day)
    expect(rotated.verify(old.issue('order-1', at), at)).toBe('order-1')
    expect(old.verify(rotated.issue('order-1', at), at)).toBeUndefined()
  })
})
