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
