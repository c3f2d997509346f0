import { describe, expect, it } from 'vitest'
import { createReadCache, surrogateMaxAgeMs, type CacheSlot } from './read-cache.js'

const slot = (key: string, upstream = 'catalog', writes = 0): CacheSlot => ({
  upstream,
  key: `${upstream} public ${key}`,
  writes,
})
const answer = { statusCode: 200, headers: {}, surrogate: 'max-age=60' }

describe("the read cache's rules", () => {
  it("reads surrogate-control's max-age; no-store or none keeps nothing", () => {
    expect(surrogateMaxAgeMs('max-age=1')).toBe(1000)
    expect(surrogateMaxAgeMs('content="ESI/1.0", max-age = 30')).toBe(30_000)
    expect(surrogateMaxAgeMs('max-age=5, no-store')).toBe(0)
    expect(surrogateMaxAgeMs('no-store-ish')).toBe(0)
    expect(surrogateMaxAgeMs(undefined)).toBe(0)
    expect(surrogateMaxAgeMs('')).toBe(0)
  })

  it('keeps only 200s the upstream allows it to keep, without their date', () => {
    const cache = createReadCache({ ttlMs: 60_000, maxBytes: 1024 * 1024 })
    const headers = { 'content-type': 'application/json', date: 'Fri, 04 Dec 2026 22:00:00 GMT' }
    cache.keep(slot('a'), { statusCode: 200, headers, surrogate: 'max-age=60' }, Buffer.from('{}'))
    expect(cache.get(slot('a'))?.headers).toEqual({ 'content-type': 'application/json' })
    cache.keep(slot('b'), { statusCode: 200, headers, surrogate: 'max-age=0' }, Buffer.from('{}'))
    cache.keep(slot('c'), { statusCode: 201, headers, surrogate: 'max-age=60' }, Buffer.from('{}'))
    expect(cache.get(slot('b'))).toBeUndefined()
    expect(cache.get(slot('c'))).toBeUndefined()
  })

  it('holds no more bytes than it is given, dropping the least recently used', () => {
    const cache = createReadCache({ ttlMs: 60_000, maxBytes: 3 * (1000 + 512) })
    const body = Buffer.alloc(1000, 'x')
    for (const key of ['a', 'b', 'c']) cache.keep(slot(key), answer, body)
    cache.get(slot('a'))
    cache.keep(slot('d'), answer, body)
    expect(['a', 'b', 'c', 'd'].map((key) => cache.get(slot(key)) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
    ])
  })

  it("drops an upstream's answers on a write to it, unless refused, and keeps no read begun before", () => {
    const cache = createReadCache({ ttlMs: 60_000, maxBytes: 1024 * 1024 })
    const body = Buffer.from('{}')
    cache.keep(slot('a'), answer, body)
    cache.keep(slot('a', 'shipping'), answer, body)
    cache.wrote('catalog', 409)
    expect(cache.get(slot('a'))).toBeDefined()
    cache.wrote('catalog', 200)
    expect(cache.get(slot('a'))).toBeUndefined()
    expect(cache.get(slot('a', 'shipping'))).toBeDefined()
    // A read that began before that write (it saw none) is not kept; one after is.
    cache.keep(slot('b', 'catalog', 0), answer, body)
    expect(cache.get(slot('b'))).toBeUndefined()
    cache.keep(slot('b', 'catalog', 1), answer, body)
    expect(cache.get(slot('b'))).toBeDefined()
    // No answer at all: it may have been applied.
    cache.wrote('catalog', undefined)
    expect(cache.get(slot('b'))).toBeUndefined()
  })
})
