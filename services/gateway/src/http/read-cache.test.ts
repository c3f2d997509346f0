import { describe, expect, it } from 'vitest'
import { createReadCache, surrogateMaxAgeMs } from './read-cache.js'

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
    cache.keep('a', { statusCode: 200, headers, surrogate: 'max-age=60' }, Buffer.from('{}'))
    expect(cache.get('a')?.headers).toEqual({ 'content-type': 'application/json' })
    cache.keep('b', { statusCode: 200, headers, surrogate: 'max-age=0' }, Buffer.from('{}'))
    cache.keep('c', { statusCode: 201, headers, surrogate: 'max-age=60' }, Buffer.from('{}'))
    expect(cache.get('b')).toBeUndefined()
    expect(cache.get('c')).toBeUndefined()
  })

  it('holds no more bytes than it is given, dropping the least recently used', () => {
    const cache = createReadCache({ ttlMs: 60_000, maxBytes: 3 * (1000 + 512) })
    const body = Buffer.alloc(1000, 'x')
    for (const key of ['a', 'b', 'c']) {
      cache.keep(key, { statusCode: 200, headers: {}, surrogate: 'max-age=60' }, body)
    }
    cache.get('a')
    cache.keep('d', { statusCode: 200, headers: {}, surrogate: 'max-age=60' }, body)
    expect(['a', 'b', 'c', 'd'].map((key) => cache.get(key) !== undefined)).toEqual([
      true,
      false,
      true,
      true,
    ])
  })
})
