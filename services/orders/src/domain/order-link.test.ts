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

  it('verify with every key of a rotation, and sign with the first', () => {
    const old = createOrderLinks([key], day)
    const rotated = createOrderLinks(['n'.repeat(32), key], day)
    expect(rotated.verify(old.issue('order-1', at), at)).toBe('order-1')
    expect(old.verify(rotated.issue('order-1', at), at)).toBeUndefined()
  })
})
