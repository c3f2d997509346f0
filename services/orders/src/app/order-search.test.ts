import { describe, expect, it } from 'vitest'
import { searchAfter, searchCursor, searchFilters } from './order-search.js'

const last = { createdAt: new Date('2026-05-01T10:00:00.000Z'), id: 'o-1' }

describe('the staff order search', () => {
  it('turns the query into the store’s filters (the e-mail lower-cased)', () => {
    expect(
      searchFilters({
        all: true,
        number: 1001,
        email: ' Ada@Example.COM ',
        from: '2026-05-01T00:00:00Z',
        to: '2026-05-02T00:00:00Z',
        minTotal: 0,
        maxTotal: 500,
      }),
    ).toEqual({
      number: 1001,
      emailPrefix: 'ada@example.com',
      from: new Date('2026-05-01T00:00:00Z'),
      to: new Date('2026-05-02T00:00:00Z'),
      minTotal: 0,
      maxTotal: 500,
    })
    expect(searchFilters({})).toEqual({})
  })

  it('refuses from not before to, and minTotal above maxTotal', () => {
    const at = '2026-05-01T00:00:00Z'
    expect(() => searchFilters({ from: at, to: at })).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_QUERY' }),
    )
    expect(() => searchFilters({ minTotal: 2, maxTotal: 1 })).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_QUERY' }),
    )
  })

  it('binds a cursor to its filters; an unfiltered cursor stays as before', () => {
    const query = { all: true, status: 'pending' as const }
    const cursor = searchCursor(query, last)
    expect(searchAfter({ ...query, cursor })).toEqual(last)
    expect(() => searchAfter({ all: true, status: 'confirmed', cursor })).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_CURSOR' }),
    )
    expect(() => searchAfter({ all: true, cursor })).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_CURSOR' }),
    )
    const plain = searchCursor({ limit: 5 }, last)
    expect(plain).not.toContain('.')
    expect(searchAfter({ cursor: plain })).toEqual(last)
    expect(() => searchAfter({ cursor: `${plain}.x.y` })).toThrow(
      expect.objectContaining({ code: 'ORDERS.INVALID_CURSOR' }),
    )
  })
})
