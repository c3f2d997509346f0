import { describe, expect, it } from 'vitest'
import type { Cursor } from './cursor.js'
import type { ListCriteria } from './listing.js'
import { maxPrefixWords, prefixQuery, searchPlan } from './search-plan.js'

const search = (q?: string): ListCriteria => ({ q, sort: q ? 'relevance' : 'newest', limit: 20 })
const after = (typo: boolean): Cursor =>
  typo
    ? { sort: 'relevance', key: '0.1', id: 'a', typo }
    : { sort: 'relevance', key: '0.1', id: 'a' }

describe('searchPlan', () => {
  it('searches the words first, and widens an empty first page for typos', () => {
    expect(searchPlan(search('hamock'), null, true)).toEqual({ typo: false, widenIfEmpty: true })
  })

  it('continues the list a cursor comes from, never widening a later page', () => {
    expect(searchPlan(search('hamock'), after(true), true)).toEqual({
      typo: true,
      widenIfEmpty: false,
    })
    expect(searchPlan(search('hamock'), after(false), true)).toEqual({
      typo: false,
      widenIfEmpty: false,
    })
  })

  it('never looks for typos without the means, a search, or four letters', () => {
    const never = { typo: false, widenIfEmpty: false }
    expect(searchPlan(search('hamock'), null, false)).toEqual(never)
    expect(searchPlan(search('hamock'), after(true), false)).toEqual(never)
    expect(searchPlan(search(), null, true)).toEqual(never)
    expect(searchPlan(search('ham'), null, true)).toEqual(never)
    expect(searchPlan(search('hamm'), null, true).widenIfEmpty).toBe(true)
  })
})

describe('prefixQuery', () => {
  it('matches the last word as a prefix, the others whole', () => {
    expect(prefixQuery('la')).toBe('la:*')
    expect(prefixQuery('  desk   la ')).toBe('desk & la:*')
    expect(prefixQuery('Café crème')).toBe('Café & crème:*')
  })

  it('keeps letters and digits only: nothing typed is tsquery syntax', () => {
    expect(prefixQuery("o'brien & (x | !y):* <-> z\\")).toBe('o & brien & x & y & z:*')
    expect(prefixQuery('&|!():*<->')).toBeUndefined()
    expect(prefixQuery('')).toBeUndefined()
  })

  it('leaves a search in websearch syntax to its whole words', () => {
    expect(prefixQuery('"desk lamp"')).toBeUndefined()
    expect(prefixQuery('lamp -desk')).toBeUndefined()
    expect(prefixQuery('lamp or desk')).toBeUndefined()
    // A hyphen inside a word is no negation, and "or" inside a word no operator.
    expect(prefixQuery('t-shirt orange')).toBe('t & shirt & orange:*')
  })

  it('takes at most a few words', () => {
    const many = Array.from({ length: maxPrefixWords + 5 }, (_, i) => `w${i}`).join(' ')
    expect(prefixQuery(many)?.split(' & ')).toHaveLength(maxPrefixWords)
  })
})
