import { describe, expect, it } from 'vitest'
import {
  cancelAction,
  commitAction,
  expiryOf,
  normalizeLines,
  releaseAction,
  restockAction,
  shortLines,
} from './reservation.js'

describe('reservation rules', () => {
  it('sums duplicate lines and sorts them by product, so locks are taken in one order', () => {
    expect(
      normalizeLines([
        { productId: 'b', quantity: 1 },
        { productId: 'a', quantity: 2 },
        { productId: 'b', quantity: 3 },
      ]),
    ).toEqual([
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 4 },
    ])
  })

  it('keys lines by variant: one naming the first variant by its id is one naming none', () => {
    // Variants of one product are separate lines, sorted by variant id (the lock order); the
    // product's first variant has the product's id, so `variantId: 'p'` on product p is dropped.
    expect(
      normalizeLines([
        { productId: 'p', variantId: 'v2', quantity: 1 },
        { productId: 'p', quantity: 2 },
        { productId: 'p', variantId: 'p', quantity: 1 },
        { productId: 'p', variantId: 'a1', quantity: 1 },
        { productId: 'p', variantId: 'v2', quantity: 4 },
      ]),
    ).toEqual([
      { productId: 'p', variantId: 'a1', quantity: 1 },
      { productId: 'p', quantity: 3 },
      { productId: 'p', variantId: 'v2', quantity: 5 },
    ])
    const available = new Map([
      ['p', 5],
      ['v2', 0],
    ])
    expect(
      shortLines(
        [
          { productId: 'p', quantity: 3 },
          { productId: 'p', variantId: 'v2', quantity: 1 },
          { productId: 'p', variantId: 'gone', quantity: 1 },
        ],
        available,
      ),
    ).toEqual([
      { productId: 'p', variantId: 'v2', requested: 1, available: 0 },
      { productId: 'p', variantId: 'gone', requested: 1, available: 0 },
    ])
  })

  it('refuses empty reservations and non-positive quantities', () => {
    expect(() => normalizeLines([])).toThrow(expect.objectContaining({ kind: 'invalid' }))
    expect(() => normalizeLines([{ productId: 'a', quantity: 0 }])).toThrow()
    expect(() => normalizeLines([{ productId: 'a', quantity: 1.5 }])).toThrow()
  })

  it('reports each line the available stock cannot cover', () => {
    const available = new Map([
      ['a', 5],
      ['b', 1],
    ])
    expect(
      shortLines(
        [
          { productId: 'a', quantity: 5 },
          { productId: 'b', quantity: 2 },
          { productId: 'ghost', quantity: 1 },
        ],
        available,
      ),
    ).toEqual([
      { productId: 'b', requested: 2, available: 1 },
      { productId: 'ghost', requested: 1, available: 0 },
    ])
  })

  it('commits and releases only what is held; repeats are no-ops', () => {
    expect(commitAction('held')).toBe('apply')
    expect(commitAction('committed')).toBe('noop')
    for (const s of ['released', 'expired', 'rejected', 'restocked'] as const)
      expect(commitAction(s)).toBe('refuse')
    expect(releaseAction('held')).toBe('apply')
    expect(releaseAction('committed')).toBe('refuse')
    for (const s of ['released', 'expired', 'rejected', 'restocked'] as const)
      expect(releaseAction(s)).toBe('noop')
  })

  it('restocks only committed units, once', () => {
    expect(restockAction('committed')).toBe('apply')
    expect(restockAction('restocked')).toBe('noop')
    for (const s of ['held', 'released', 'expired', 'rejected'] as const)
      expect(restockAction(s)).toBe('refuse')
  })

  it('cancels by what the reservation holds: tombstone, release, restock or nothing', () => {
    expect(cancelAction(undefined)).toBe('tombstone')
    expect(cancelAction('held')).toBe('release')
    expect(cancelAction('committed')).toBe('restock')
    for (const s of ['released', 'expired', 'rejected', 'restocked'] as const)
      expect(cancelAction(s)).toBe('noop')
  })

  it('expires a hold after its TTL', () => {
    expect(expiryOf(new Date('2026-01-01T00:00:00Z'), 900).toISOString()).toBe(
      '2026-01-01T00:15:00.000Z',
    )
  })
})
