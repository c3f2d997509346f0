import { describe, expect, it } from 'vitest'
import { lineTotal, orderTotal } from './money.js'

const line = (amount: number, quantity: number, currency = 'USD') => ({
  productId: 'p',
  variantId: 'p',
  name: 'P',
  unitPrice: { amount, currency },
  quantity,
})

describe('order money', () => {
  it('multiplies and sums in minor units', () => {
    expect(lineTotal(line(1999, 3))).toEqual({ amount: 5997, currency: 'USD' })
    expect(orderTotal([line(1999, 3), line(1, 1)])).toEqual({ amount: 5998, currency: 'USD' })
  })

  it('refuses several currencies in one order', () => {
    expect(() => orderTotal([line(100, 1), line(100, 1, 'EUR')])).toThrow(
      expect.objectContaining({ code: 'ORDERS.MIXED_CURRENCIES', status: 409 }),
    )
  })

  it('refuses a total past safe integers', () => {
    expect(() => orderTotal([line(Number.MAX_SAFE_INTEGER, 2)])).toThrow(
      expect.objectContaining({ code: 'ORDERS.AMOUNT_TOO_LARGE' }),
    )
  })
})
