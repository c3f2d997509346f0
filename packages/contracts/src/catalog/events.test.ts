import { Value } from 'typebox/value'
import { describe, expect, it } from 'vitest'
import { ProductCreated, ProductUpdated } from './events.js'

const before18 = {
  productId: 'p1',
  sku: 'LAMP-1',
  name: 'Lamp',
  price: { amount: 1999, currency: 'USD' },
  categoryId: 'c1',
  imageUrl: '/images/p1.svg',
  variants: [{ variantId: 'p1', sku: 'LAMP-1', price: { amount: 1999, currency: 'USD' } }],
}

describe("catalog's product events (v1 only grows)", () => {
  it('still take an event from before tax classes and weights', () => {
    expect(Value.Check(ProductCreated.schema, before18)).toBe(true)
    expect(Value.Check(ProductUpdated.schema, before18)).toBe(true)
  })

  it('carry the tax class and each variant’s weight, checked', () => {
    const now = {
      ...before18,
      taxClass: 'books',
      variants: [{ ...before18.variants[0], weightGrams: 350 }],
    }
    expect(Value.Check(ProductUpdated.schema, now)).toBe(true)
    expect(Value.Check(ProductUpdated.schema, { ...now, taxClass: 'Books' })).toBe(false)
    const negative = { ...now, variants: [{ ...before18.variants[0], weightGrams: -1 }] }
    expect(Value.Check(ProductUpdated.schema, negative)).toBe(false)
  })
})
