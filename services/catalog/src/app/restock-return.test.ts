import { describe, expect, it } from 'vitest'
import { restockLines } from './restock-return.js'

describe('restockLines', () => {
  it('puts back only the units staff marked restock, each on its variant (the first when none)', () => {
    expect(
      restockLines([
        { productId: 'p1', quantity: 2, restock: true },
        { productId: 'p2', variantId: 'v2', quantity: 1, restock: true },
        { productId: 'p3', variantId: 'v3', quantity: 4, restock: false },
        { productId: 'p4', quantity: 0, restock: true },
      ]),
    ).toEqual([
      { productId: 'p1', variantId: 'p1', quantity: 2 },
      { productId: 'p2', variantId: 'v2', quantity: 1 },
    ])
  })
})
