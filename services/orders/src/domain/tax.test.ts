import { describe, expect, it } from 'vitest'
import { rateFor, type TaxRate } from './tax.js'

const rate = (
  country: string,
  region: string | null,
  taxClass: string,
  rateBasisPoints: number,
): TaxRate => ({ country, region, taxClass, rateBasisPoints })

const rates = [
  rate('US', null, 'standard', 0),
  rate('US', 'CA', 'standard', 725),
  rate('US', 'CA', 'food', 0),
  rate('US', null, 'books', 100),
  rate('FR', null, 'standard', 2000),
  rate('FR', null, 'books', 550),
  rate('DE', 'BY', 'books', 700),
]

describe('rateFor', () => {
  it("takes the region's rate over the country's", () => {
    expect(rateFor(rates, { country: 'US', region: 'CA' }, 'standard')).toBe(725)
    expect(rateFor(rates, { country: 'US', region: 'NY' }, 'standard')).toBe(0)
    expect(rateFor(rates, { country: 'US' }, 'standard')).toBe(0)
    expect(rateFor(rates, { country: 'FR', region: 'IDF' }, 'standard')).toBe(2000)
  })

  it("takes the class's rate, the country's before the region's standard one", () => {
    expect(rateFor(rates, { country: 'FR' }, 'books')).toBe(550)
    expect(rateFor(rates, { country: 'US', region: 'CA' }, 'food')).toBe(0)
    expect(rateFor(rates, { country: 'US', region: 'CA' }, 'books')).toBe(100)
  })

  it("falls back to the destination's standard rate for a class it has no rate for", () => {
    expect(rateFor(rates, { country: 'FR' }, 'food')).toBe(2000)
    expect(rateFor(rates, { country: 'US', region: 'CA' }, 'toys')).toBe(725)
  })

  it('is 0 where no rate applies at all', () => {
    expect(rateFor(rates, { country: 'JP' }, 'standard')).toBe(0)
    expect(rateFor(rates, { country: 'DE' }, 'books')).toBe(0)
    expect(rateFor(rates, { country: 'DE', region: 'BE' }, 'standard')).toBe(0)
    expect(rateFor([], { country: 'FR' }, 'books')).toBe(0)
  })

  it('reads countries and regions whatever their case and spaces', () => {
    expect(rateFor(rates, { country: 'us', region: ' ca ' }, 'standard')).toBe(725)
    expect(rateFor(rates, { country: 'US', region: '  ' }, 'standard')).toBe(0)
    expect(rateFor(rates, { country: 'de', region: 'by' }, 'books')).toBe(700)
  })
})
