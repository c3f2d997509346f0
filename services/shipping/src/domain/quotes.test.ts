import { describe, expect, it } from 'vitest'
import { quotesFor, type QuotableMethod } from './quotes.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })
const method = (over: Partial<QuotableMethod> & { id: string }): QuotableMethod => ({
  zoneId: 'eu',
  name: over.id,
  carrier: 'DHL',
  basis: 'flat',
  rates: [{ from: 0, price: usd(500) }],
  active: true,
  ...over,
})
const zones = new Map([
  ['eu', [{ country: 'DE' }, { country: 'FR' }]],
  ['ca', [{ country: 'US', region: 'CA' }]],
])
const request = (country: string, region?: string, currency = 'USD') => ({
  destination: { country, ...(region ? { region } : {}) },
  subtotal: { amount: 3000, currency },
  weightGrams: 1500,
})

describe('quotesFor', () => {
  it('quotes the active methods of the zones that cover the destination, cheapest first', () => {
    const quotes = quotesFor(
      zones,
      [
        method({
          id: 'express',
          rates: [{ from: 0, price: usd(1500) }],
          estimatedDays: { min: 1, max: 2 },
        }),
        method({ id: 'standard', rates: [{ from: 0, price: usd(500) }] }),
        method({ id: 'off', active: false, rates: [{ from: 0, price: usd(1) }] }),
        method({ id: 'california', zoneId: 'ca', rates: [{ from: 0, price: usd(2) }] }),
        method({ id: 'orphan', zoneId: 'gone', rates: [{ from: 0, price: usd(3) }] }),
      ],
      request('DE'),
    )
    expect(quotes).toEqual([
      { methodId: 'standard', name: 'standard', carrier: 'DHL', price: usd(500) },
      {
        methodId: 'express',
        name: 'express',
        carrier: 'DHL',
        price: usd(1500),
        estimatedDays: { min: 1, max: 2 },
      },
    ])
  })

  it('leaves out methods in another currency and those no rate applies to', () => {
    const methods = [
      method({ id: 'eur', rates: [{ from: 0, price: { amount: 100, currency: 'EUR' } }] }),
      method({ id: 'heavy-only', basis: 'weight', rates: [{ from: 2000, price: usd(100) }] }),
      method({ id: 'light', basis: 'weight', rates: [{ from: 0, price: usd(700) }] }),
    ]
    expect(quotesFor(zones, methods, request('FR')).map((q) => q.methodId)).toEqual(['light'])
    expect(
      quotesFor(zones, methods, request('FR', undefined, 'EUR')).map((q) => q.methodId),
    ).toEqual(['eur'])
  })

  it('is empty when no zone covers the destination', () => {
    expect(quotesFor(zones, [method({ id: 'standard' })], request('JP'))).toEqual([])
    expect(
      quotesFor(zones, [method({ id: 'california', zoneId: 'ca' })], request('US', 'NY')),
    ).toEqual([])
  })
})
