import { describe, expect, it } from 'vitest'
import { createResponseCache } from './response-cache.js'

const json = 'application/json; charset=utf-8'

describe('response cache', () => {
  it('keeps a filled body with its etag', () => {
    const cache = createResponseCache()
    const entry = cache.fill('/a').done('{"a":1}', json)
    expect(cache.get('/a')).toEqual(entry)
    expect(entry.etag).toMatch(/^"/)
  })

  it('lets concurrent misses wait for one fill', async () => {
    const cache = createResponseCache()
    const fill = cache.fill('/a')
    const waiting = cache.pending('/a')
    expect(waiting).toBeDefined()
    fill.done('{}', json)
    expect((await waiting)?.body).toBe('{}')
    expect(cache.pending('/a')).toBeUndefined()
  })

  it('hands waiters nothing when the fill fails', async () => {
    const cache = createResponseCache()
    const fill = cache.fill('/a')
    const waiting = cache.pending('/a')
    fill.failed()
    expect(await waiting).toBeUndefined()
    expect(cache.get('/a')).toBeUndefined()
  })

  it('does not store a fill begun before a clear, nor let new misses join it', () => {
    const cache = createResponseCache()
    const fill = cache.fill('/a')
    cache.clear()
    expect(cache.pending('/a')).toBeUndefined()
    fill.done('{"stale":true}', json)
    expect(cache.get('/a')).toBeUndefined()
  })

  it('forgets an entry past its time to live', () => {
    let time = 0
    const cache = createResponseCache({ ttlMs: 1_000, now: () => time })
    cache.fill('/a').done('{}', json)
    time = 999
    expect(cache.get('/a')).toBeDefined()
    time = 1_000
    expect(cache.get('/a')).toBeUndefined()
    expect(cache.bytes).toBe(0)
  })

  it('evicts the least recently used past its entries or bytes', () => {
    const cache = createResponseCache({ maxEntries: 2, maxBytes: 10 })
    cache.fill('/a').done('aaa', json)
    cache.fill('/b').done('bbb', json)
    cache.get('/a')
    cache.fill('/c').done('ccc', json)
    expect(cache.get('/b')).toBeUndefined()
    expect(cache.get('/a')).toBeDefined()
    cache.fill('/d').done('dddddddd', json)
    expect(cache.bytes).toBeLessThanOrEqual(10)
    expect(cache.get('/d')).toBeDefined()
    cache.fill('/e').done('x'.repeat(11), json)
    expect(cache.get('/e')).toBeUndefined()
  })
})
