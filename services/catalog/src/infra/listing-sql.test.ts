import { describe, expect, it } from 'vitest'
import type { ListCriteria } from '../domain/listing.js'
import { listingSql } from './listing-sql.js'

const readsTerms = (criteria: Partial<ListCriteria>, typo = false) =>
  listingSql({ sort: 'relevance', limit: 20, ...criteria }, null, typo).text.includes(
    'product_search_terms',
  )

describe('infra/listing-sql: when a search may read the terms index (issue 20)', () => {
  it('does for one word by relevance, published only, first page or next', () => {
    expect(readsTerms({ q: 'lamp' })).toBe(true)
    expect(readsTerms({ q: 'la', status: 'published' })).toBe(true)
    const next = listingSql(
      { sort: 'relevance', limit: 20, q: 'lamp' },
      {
        sort: 'relevance',
        key: '1.668720',
        id: 'p1',
      },
    )
    expect(next.text).toContain('(t.rank, t.product_id) <')
    expect(next.prepare).toBe(true)
  })

  it('does not for several words, websearch syntax, filters, another sort, drafts or typos', () => {
    expect(readsTerms({ q: 'desk lamp' })).toBe(false)
    expect(readsTerms({ q: '"desk lamp"' })).toBe(false)
    expect(readsTerms({ q: 'lamp -desk' })).toBe(false)
    expect(readsTerms({ q: 'lamp', category: 'lighting' })).toBe(false)
    expect(readsTerms({ q: 'lamp', minPrice: 100 })).toBe(false)
    expect(readsTerms({ q: 'lamp', maxPrice: 100 })).toBe(false)
    expect(readsTerms({ q: 'lamp', sort: 'price_asc' })).toBe(false)
    expect(readsTerms({ q: 'lamp', status: 'all' })).toBe(false)
    expect(readsTerms({ q: 'lamp', status: 'draft' })).toBe(false)
    expect(readsTerms({ q: 'lmap' }, true)).toBe(false)
  })

  it('keeps the GIN index read behind the opposite condition in the same statement', () => {
    const { text } = listingSql({ sort: 'relevance', limit: 20, q: 'lamp' }, null)
    expect(text).toContain('where (select w.fast from w)')
    expect(text).toContain('where (select w.beginning from w)')
    expect(text).toContain('and not (select w.fast or w.beginning from w)')
    expect(text).toContain('p.search @@')
  })
})
