import { describe, expect, it } from 'vitest'
import { cartIdentity } from './cart-identity.js'

describe('cartIdentity', () => {
  const cart = {
    updatedAt: '2026-05-01T12:00:00.000Z',
    lines: [
      { productId: 'lamp', quantity: 2 },
      { productId: 'mug', quantity: 1 },
    ],
  }

  it('is the same for the same cart, and changes with any write or line', () => {
    const id = cartIdentity(cart)
    expect(id).toMatch(/^[0-9a-f]{64}$/)
    expect(cartIdentity(structuredClone(cart))).toBe(id)
    expect(cartIdentity({ ...cart, updatedAt: '2026-05-01T12:00:00.001Z' })).not.toBe(id)
    expect(cartIdentity({ ...cart, lines: [cart.lines[0]!] })).not.toBe(id)
    expect(
      cartIdentity({ ...cart, lines: [cart.lines[0]!, { productId: 'mug', quantity: 2 }] }),
    ).not.toBe(id)
    expect(
      cartIdentity({ ...cart, lines: [cart.lines[0]!, { ...cart.lines[1]!, unavailable: true }] }),
    ).not.toBe(id)
  })

  it('is what it was before variants for lines of first variants, and tells other variants apart', () => {
    const id = cartIdentity(cart)
    // A line of a product's first variant names the product's id: the same identity.
    const named = { ...cart, lines: cart.lines.map((l) => ({ ...l, variantId: l.productId })) }
    expect(cartIdentity(named)).toBe(id)
    const other = { ...cart, lines: [cart.lines[0]!, { ...cart.lines[1]!, variantId: 'mug-blue' }] }
    expect(cartIdentity(other)).not.toBe(id)
    const another = {
      ...cart,
      lines: [cart.lines[0]!, { ...cart.lines[1]!, variantId: 'mug-red' }],
    }
    expect(cartIdentity(another)).not.toBe(cartIdentity(other))
  })
})
