import { describe, expect, it } from 'vitest'
import { listCriteria } from './listing.js'

describe('listCriteria', () => {
  it('defaults to 20 newest, relevance with a search', () => {
    expect(listCriteria({})).toEqual({ sort: 'newest', limit: 20 })
    expect(listCriteria({ q: ' lamp ' })).toMatchObject({ q: 'lamp', sort: 'relevance' })
    expect(listCriteria({ q: 'lamp', sort: 'price_asc' }).sort).toBe('price_asc')
  })

  it("keeps an admin's status filter, and none (the published products) otherwise", () => {
    expect(listCriteria({ status: 'draft' }).status).toBe('draft')
    expect(listCriteria({ status: 'all' }).status).toBe('all')
    expect(listCriteria({}).status).toBeUndefined()
  })

  it('treats relevance without a search, and a blank search, as newest', () => {
    expect(listCriteria({ sort: 'relevance' }).sort).toBe('newest')
    expect(listCriteria({ q: '   ', sort: 'relevance' })).toEqual({ sort: 'newest', limit: 20 })
  })

  it('accepts a price range, an equal one included, and refuses an empty one', () => {
    expect(listCriteria({ minPrice: 100, maxPrice: 100 })).toMatchObject({
      minPrice: 100,
      maxPrice: 100,
    })
    expect(listCriteria({ minPrice: 0 }).minPrice).toBe(0)
    expect(() => listCriteria({ minPrice: 101, maxPrice: 100 })).toThrow(
      expect.objectContaining({ code: 'CATALOG.INVALID_PRICE_RANGE', kind: 'invalid' }),
    )
  })

  it('keeps limit within 1..100', () => {
    expect(listCriteria({ limit: 100 }).limit).toBe(100)
    for (const limit of [0, 101, 1.5]) {
      expect(() => listCriteria({ limit })).toThrow(expect.objectContaining({ kind: 'invalid' }))
    }
  })
})
