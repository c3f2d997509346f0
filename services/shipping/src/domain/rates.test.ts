import { describe, expect, it } from 'vitest'
import { isAppError } from '@emporium/platform/errors'
import { checkTerms, priceOf, type MethodTerms } from './rates.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const parcel = (subtotal: number, weightGrams = 0, currency = 'USD') => ({
  subtotal: { amount: subtotal, currency },
  weightGrams,
})

describe('priceOf', () => {
  const byWeight: MethodTerms = {
    basis: 'weight',
    rates: [
      { from: 0, price: usd(500) },
      { from: 1000, price: usd(900) },
      { from: 5000, price: usd(2000) },
    ],
  }

  it('takes the rate with the highest `from` at most the weight, bounds included', () => {
    expect(priceOf(byWeight, parcel(100, 0))).toEqual(usd(500))
    expect(priceOf(byWeight, parcel(100, 999))).toEqual(usd(500))
    expect(priceOf(byWeight, parcel(100, 1000))).toEqual(usd(900))
    expect(priceOf(byWeight, parcel(100, 4999))).toEqual(usd(900))
    expect(priceOf(byWeight, parcel(100, 5000))).toEqual(usd(2000))
    expect(priceOf(byWeight, parcel(100, 10_000_000))).toEqual(usd(2000))
  })

  it('finds the rate whatever order the rates are in', () => {
    const shuffled = { ...byWeight, rates: [...byWeight.rates].reverse() }
    expect(priceOf(shuffled, parcel(100, 1200))).toEqual(usd(900))
  })

  it('offers nothing below the lowest rate', () => {
    const fromOneKilo: MethodTerms = { basis: 'weight', rates: [{ from: 1000, price: usd(900) }] }
    expect(priceOf(fromOneKilo, parcel(100, 999))).toBeUndefined()
  })

  it('prices by subtotal in minor units', () => {
    const bySubtotal: MethodTerms = {
      basis: 'subtotal',
      rates: [
        { from: 0, price: usd(800) },
        { from: 5000, price: usd(300) },
      ],
    }
    expect(priceOf(bySubtotal, parcel(4999, 99_999))).toEqual(usd(800))
    expect(priceOf(bySubtotal, parcel(5000, 0))).toEqual(usd(300))
  })

  it('prices a flat method the same whatever the order', () => {
    const flat: MethodTerms = { basis: 'flat', rates: [{ from: 0, price: usd(499) }] }
    expect(priceOf(flat, parcel(0, 0))).toEqual(usd(499))
    expect(priceOf(flat, parcel(1_000_000, 1_000_000))).toEqual(usd(499))
  })

  it('is free from `freeAbove` on, not below', () => {
    const free: MethodTerms = { ...byWeight, freeAbove: usd(10_000) }
    expect(priceOf(free, parcel(9_999, 1200))).toEqual(usd(900))
    expect(priceOf(free, parcel(10_000, 1200))).toEqual(usd(0))
  })

  it('offers nothing in another currency than the subtotal', () => {
    expect(priceOf(byWeight, parcel(100, 1200, 'EUR'))).toBeUndefined()
  })
})

describe('checkTerms', () => {
  const code = (terms: MethodTerms) => {
    try {
      checkTerms(terms)
    } catch (error) {
      return isAppError(error) ? `${error.status} ${error.code}` : String(error)
    }
    return 'passed'
  }

  it('orders the rates by `from` and names the currency', () => {
    const checked = checkTerms({
      basis: 'weight',
      rates: [
        { from: 500, price: usd(2) },
        { from: 0, price: usd(1) },
      ],
    })
    expect(checked.rates.map((r) => r.from)).toEqual([0, 500])
    expect(checked.currency).toBe('USD')
  })

  it('refuses what a method cannot be', () => {
    expect(code({ basis: 'weight', rates: [] })).toBe('400 SHIPPING.RATES_REQUIRED')
    expect(
      code({
        basis: 'weight',
        rates: [
          { from: 0, price: usd(1) },
          { from: 10, price: { amount: 1, currency: 'EUR' } },
        ],
      }),
    ).toBe('400 SHIPPING.MIXED_CURRENCIES')
    expect(
      code({
        basis: 'weight',
        rates: [{ from: 0, price: usd(1) }],
        freeAbove: { amount: 1, currency: 'EUR' },
      }),
    ).toBe('400 SHIPPING.MIXED_CURRENCIES')
    expect(
      code({
        basis: 'weight',
        rates: [
          { from: 10, price: usd(1) },
          { from: 10, price: usd(2) },
        ],
      }),
    ).toBe('400 SHIPPING.DUPLICATE_RATE')
    expect(code({ basis: 'flat', rates: [{ from: 5, price: usd(1) }] })).toBe(
      '400 SHIPPING.FLAT_RATE',
    )
    expect(
      code({
        basis: 'flat',
        rates: [
          { from: 0, price: usd(1) },
          { from: 5, price: usd(1) },
        ],
      }),
    ).toBe('400 SHIPPING.FLAT_RATE')
    expect(
      code({
        basis: 'flat',
        rates: [{ from: 0, price: usd(1) }],
        estimatedDays: { min: 5, max: 2 },
      }),
    ).toBe('400 SHIPPING.INVALID_ESTIMATE')
    expect(code({ basis: 'flat', rates: [{ from: 0, price: usd(1) }] })).toBe('passed')
  })
})
