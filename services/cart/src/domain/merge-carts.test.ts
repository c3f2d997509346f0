import { describe, expect, it } from 'vitest'
import { emptyCart, maxCartLines, type CartLine, type StoredCart } from './cart.js'
import { mergeLines } from './merge-carts.js'

const line = (variantId: string, quantity: number, currency = 'USD'): CartLine => ({
  productId: `p-${variantId}`,
  variantId,
  name: `Thing ${variantId}`,
  unitPrice: { amount: 100, currency },
  quantity,
  pricedAt: '2026-03-01T10:00:00.000Z',
})

const cartOf = (userId: string, lines: CartLine[]): StoredCart => ({
  ...emptyCart(userId),
  lines,
  version: 1,
})

const units = (lines: Array<{ quantity: number }>) => lines.reduce((n, l) => n + l.quantity, 0)

describe('mergeLines', () => {
  it("adds the guest's lines after the account's, adding up a variant both hold", () => {
    const target = cartOf('u1', [line('a', 2), line('b', 1)])
    const guest = cartOf('guest_1', [line('b', 3), line('c', 4)])
    const result = mergeLines(target, guest)
    expect(result.lines.map((l) => [l.variantId, l.quantity])).toEqual([
      ['a', 2],
      ['b', 4],
      ['c', 4],
    ])
    expect(result).toMatchObject({ mergedLines: 2, notMerged: [] })
    // The inputs are left as they were.
    expect(target.lines[1]!.quantity).toBe(1)
  })

  it('caps a line at 99 units and reports the rest', () => {
    const result = mergeLines(cartOf('u1', [line('a', 90)]), cartOf('g', [line('a', 15)]))
    expect(result.lines).toEqual([expect.objectContaining({ variantId: 'a', quantity: 99 })])
    expect(result.notMerged).toEqual([
      { productId: 'p-a', variantId: 'a', name: 'Thing a', quantity: 6, reason: 'quantity_limit' },
    ])
    const full = mergeLines(cartOf('u1', [line('a', 99)]), cartOf('g', [line('a', 3)]))
    expect(full).toMatchObject({ mergedLines: 0, notMerged: [{ quantity: 3 }] })
  })

  it('reports the lines past the cart line limit, never dropping any unit', () => {
    const target = cartOf(
      'u1',
      Array.from({ length: maxCartLines - 1 }, (_, i) => line(`t${i}`, 1)),
    )
    const guest = cartOf('g', [line('x', 2), line('y', 3), line('t0', 5)])
    const result = mergeLines(target, guest)
    expect(result.lines).toHaveLength(maxCartLines)
    expect(result.lines.find((l) => l.variantId === 't0')!.quantity).toBe(6)
    expect(result.notMerged).toEqual([
      expect.objectContaining({ variantId: 'y', quantity: 3, reason: 'line_limit' }),
    ])
    expect(units(result.lines) + units(result.notMerged)).toBe(
      units(target.lines) + units(guest.lines),
    )
  })

  it("keeps the cart's one currency: a line in another is reported", () => {
    const result = mergeLines(cartOf('u1', [line('a', 1, 'EUR')]), cartOf('g', [line('b', 2)]))
    expect(result.lines).toHaveLength(1)
    expect(result.notMerged).toEqual([
      expect.objectContaining({ variantId: 'b', quantity: 2, reason: 'currency_mismatch' }),
    ])
    // An empty account cart takes the guest's currency.
    const empty = mergeLines(emptyCart('u1'), cartOf('g', [line('b', 2, 'EUR')]))
    expect(empty).toMatchObject({ mergedLines: 1, notMerged: [] })
  })

  it('an empty guest cart changes nothing', () => {
    const target = cartOf('u1', [line('a', 2)])
    expect(mergeLines(target, emptyCart('g'))).toEqual({
      lines: target.lines,
      mergedLines: 0,
      notMerged: [],
    })
  })
})
