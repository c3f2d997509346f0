import { describe, expect, it } from 'vitest'
import { allocate, type OrderLine } from './allocation.js'

const order: OrderLine[] = [
  { productId: 'p1', variantId: 'v1', quantity: 3, shipped: 0 },
  { productId: 'p2', variantId: 'p2', quantity: 1, shipped: 0 },
]

describe('allocate', () => {
  it('ships part of an order, then the rest, which completes it', () => {
    const first = allocate(order, [{ variantId: 'v1', quantity: 2 }])
    expect(first).toEqual({
      ok: true,
      lines: [{ productId: 'p1', variantId: 'v1', quantity: 2 }],
      complete: false,
    })
    const after = [{ ...order[0]!, shipped: 2 }, order[1]!]
    expect(
      allocate(after, [
        { variantId: 'v1', quantity: 1 },
        { variantId: 'p2', quantity: 1 },
      ]),
    ).toMatchObject({ ok: true, complete: true })
  })

  it('sums a variant asked twice', () => {
    expect(
      allocate(order, [
        { variantId: 'v1', quantity: 1 },
        { variantId: 'v1', quantity: 2 },
      ]),
    ).toEqual({
      ok: true,
      lines: [{ productId: 'p1', variantId: 'v1', quantity: 3 }],
      complete: false,
    })
    expect(
      allocate(order, [
        { variantId: 'v1', quantity: 2 },
        { variantId: 'v1', quantity: 2 },
      ]),
    ).toEqual({ ok: false, reason: 'exceeds_order', variantId: 'v1', requested: 4, remaining: 3 })
  })

  it('refuses more than is left of a line, and a line not in the order', () => {
    const after = [{ ...order[0]!, shipped: 2 }, order[1]!]
    expect(allocate(after, [{ variantId: 'v1', quantity: 2 }])).toEqual({
      ok: false,
      reason: 'exceeds_order',
      variantId: 'v1',
      requested: 2,
      remaining: 1,
    })
    expect(allocate(order, [{ variantId: 'nope', quantity: 1 }])).toEqual({
      ok: false,
      reason: 'not_in_order',
      variantId: 'nope',
    })
  })

  it('has nothing to ship once every line is shipped', () => {
    const done = order.map((line) => ({ ...line, shipped: line.quantity }))
    expect(allocate(done, [{ variantId: 'v1', quantity: 1 }])).toEqual({
      ok: false,
      reason: 'nothing_to_ship',
    })
  })
})
