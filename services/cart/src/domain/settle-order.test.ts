import { describe, expect, it } from 'vitest'
import { emptyCart, type CartLine, type StoredCart } from './cart.js'
import { settledOrdersKept, settleOrder } from './settle-order.js'

const line = (productId: string, quantity: number): CartLine => ({
  productId,
  name: `P ${productId}`,
  unitPrice: { amount: 1000, currency: 'USD' },
  quantity,
  pricedAt: '2026-01-01T00:00:00.000Z',
})
const cart = (lines: CartLine[], settledOrderIds: string[] = []): StoredCart => ({
  ...emptyCart('u1'),
  version: 3,
  lines,
  settledOrderIds,
})

describe('settling a confirmed order in the cart', () => {
  it('takes out the ordered variant only; another variant of the product stays', () => {
    const variant = (variantId: string, quantity: number): CartLine => ({
      ...line('tee', quantity),
      variantId,
    })
    const settlement = settleOrder(cart([variant('tee', 1), variant('tee-m', 2)]), 'o1', [
      { productId: 'tee', variantId: 'tee-m', quantity: 2 },
    ])
    expect(settlement).toMatchObject({ kind: 'settled', lines: [variant('tee', 1)] })
    // An order line without a variant is the product's first (whose id is the product's).
    expect(
      settleOrder(cart([variant('tee', 1), variant('tee-m', 2)]), 'o2', [
        { productId: 'tee', quantity: 1 },
      ]),
    ).toMatchObject({ kind: 'settled', lines: [variant('tee-m', 2)] })
  })

  it('takes out exactly the ordered lines; a product added since stays', () => {
    const settlement = settleOrder(cart([line('a', 2), line('b', 1), line('new', 4)]), 'o1', [
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 1 },
    ])
    expect(settlement).toEqual({
      kind: 'settled',
      lines: [line('new', 4)],
      settledOrderIds: ['o1'],
    })
  })

  it('keeps units added to an ordered line, and drops a line that falls below 0', () => {
    const settlement = settleOrder(cart([line('a', 5), line('b', 1)]), 'o1', [
      { productId: 'a', quantity: 2 },
      { productId: 'b', quantity: 3 },
      { productId: 'gone', quantity: 1 },
    ])
    expect(settlement).toEqual({ kind: 'settled', lines: [line('a', 3)], settledOrderIds: ['o1'] })
  })

  it('leaves alone a line put in the cart after the version the order was placed from', () => {
    const since = (l: CartLine, v: number): CartLine => ({ ...l, since: v })
    const ordered = [
      { productId: 'a', quantity: 1 },
      { productId: 'b', quantity: 2 },
      { productId: 'c', quantity: 1 },
    ]
    // a: held at the order's version 2 (since 2); b: added again at 3, after the order; c: a
    // line from before lines had a version (reads as 0).
    const lines = [since(line('a', 3), 2), since(line('b', 2), 3), line('c', 1)]
    expect(settleOrder(cart(lines), 'o1', ordered, 2)).toEqual({
      kind: 'settled',
      lines: [since(line('a', 2), 2), since(line('b', 2), 3)],
      settledOrderIds: ['o1'],
    })
    // Only re-added lines left: nothing to settle, and the order is not remembered.
    expect(settleOrder(cart([since(line('b', 2), 3)]), 'o1', ordered, 2)).toEqual({
      kind: 'nothing_to_settle',
    })
    // Without the order's cart version every line of an ordered variant settles, as before.
    expect(settleOrder(cart(lines), 'o1', ordered)).toMatchObject({
      kind: 'settled',
      lines: [since(line('a', 2), 2)],
    })
  })

  it('adds up an order listing one product twice', () => {
    const settlement = settleOrder(cart([line('a', 5)]), 'o1', [
      { productId: 'a', quantity: 1 },
      { productId: 'a', quantity: 2 },
    ])
    expect(settlement).toMatchObject({ kind: 'settled', lines: [line('a', 2)] })
  })

  it('an order the cart settled already changes nothing (a redelivery subtracts once)', () => {
    const ordered = [{ productId: 'a', quantity: 2 }]
    const first = settleOrder(cart([line('a', 3)]), 'o1', ordered)
    if (first.kind !== 'settled') throw new Error(first.kind)
    expect(first.lines).toEqual([line('a', 1)])
    const again = settleOrder(cart(first.lines, first.settledOrderIds), 'o1', ordered)
    expect(again).toEqual({ kind: 'already_settled' })
    // Another order of the same product still settles.
    expect(settleOrder(cart(first.lines, first.settledOrderIds), 'o2', ordered)).toEqual({
      kind: 'settled',
      lines: [],
      settledOrderIds: ['o1', 'o2'],
    })
  })

  it('leaves a cart holding none of the ordered products alone, without recording the order', () => {
    expect(settleOrder(cart([line('b', 1)]), 'o1', [{ productId: 'a', quantity: 1 }])).toEqual({
      kind: 'nothing_to_settle',
    })
    expect(settleOrder(emptyCart('u1'), 'o1', [{ productId: 'a', quantity: 1 }])).toEqual({
      kind: 'nothing_to_settle',
    })
    expect(settleOrder(cart([line('a', 1)]), 'o1', [])).toEqual({ kind: 'nothing_to_settle' })
  })

  it(`remembers the last ${settledOrdersKept} orders only, oldest out first`, () => {
    const full = Array.from({ length: settledOrdersKept }, (_, i) => `o${i}`)
    const settlement = settleOrder(cart([line('a', 1)], full), 'latest', [
      { productId: 'a', quantity: 1 },
    ])
    if (settlement.kind !== 'settled') throw new Error(settlement.kind)
    expect(settlement.settledOrderIds).toHaveLength(settledOrdersKept)
    expect(settlement.settledOrderIds[0]).toBe('o1')
    expect(settlement.settledOrderIds.at(-1)).toBe('latest')
  })
})
