import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { cacheKey, installCachedReads } from './cached-reads.js'
import { createResponseCache } from './response-cache.js'

async function build() {
  const cache = createResponseCache()
  let calls = 0
  let release: () => void = () => {}
  let gate: Promise<void> | undefined
  const app = Fastify()
  installCachedReads(app, cache)
  app.get('/items', { config: { responseCache: {} } }, async (request) => {
    calls += 1
    await gate
    return { calls, q: (request.query as { q?: string }).q ?? null }
  })
  app.get(
    '/secret',
    { config: { responseCache: { bypass: (r) => r.headers['x-staff'] === '1' } } },
    async () => ({ calls: ++calls }),
  )
  app.get('/missing', { config: { responseCache: {} } }, async (_request, reply) =>
    reply.code(404).send({ calls: ++calls }),
  )
  app.get('/plain', async () => ({ calls: ++calls }))
  await app.ready()
  return {
    app,
    cache,
    calls: () => calls,
    hold: () => (gate = new Promise<void>((resolve) => (release = resolve))),
    release: () => {
      gate = undefined
      release()
    },
  }
}

describe('cached reads', () => {
  it('answers a repeat from the cache, with the same etag and public no-cache', async () => {
    const t = await build()
    const first = await t.app.inject('/items?q=a&limit=2')
    const second = await t.app.inject('/items?limit=2&q=a')
    expect(second.body).toBe(first.body)
    expect(t.calls()).toBe(1)
    expect(second.headers.etag).toBe(first.headers.etag)
    expect(first.headers['cache-control']).toBe('public, no-cache')
    expect(second.headers['content-type']).toMatch(/^application\/json/)
    expect(String(second.headers.vary)).toMatch(/authorization/)
  })

  it('answers 304 to a matching if-none-match, hit or miss', async () => {
    const t = await build()
    const first = await t.app.inject('/items')
    const etag = first.headers.etag as string
    const hit = await t.app.inject({ url: '/items', headers: { 'if-none-match': `W/${etag}` } })
    expect(hit.statusCode).toBe(304)
    expect(hit.body).toBe('')
    expect(hit.headers.etag).toBe(etag)
    t.cache.clear()
    const miss = await t.app.inject({ url: '/items', headers: { 'if-none-match': etag } })
    expect(miss.statusCode).toBe(200) // the body changed (calls: 2): a new tag
    const again = await t.app.inject({
      url: '/items',
      headers: { 'if-none-match': miss.headers.etag as string },
    })
    expect(again.statusCode).toBe(304)
  })

  it('marks answers to requests with credentials private', async () => {
    const t = await build()
    const res = await t.app.inject({ url: '/items', headers: { authorization: 'Bearer x' } })
    expect(res.headers['cache-control']).toBe('private, no-cache')
  })

  it('runs concurrent misses once', async () => {
    const t = await build()
    t.hold()
    const answers = Promise.all([1, 2, 3].map(() => t.app.inject('/items')))
    await new Promise((resolve) => setTimeout(resolve, 50))
    t.release()
    const bodies = (await answers).map((r) => r.body)
    expect(new Set(bodies).size).toBe(1)
    expect(t.calls()).toBe(1)
  })

  it('serves a bypassed request fresh, yet with an etag', async () => {
    const t = await build()
    await t.app.inject('/secret')
    const staff = await t.app.inject({ url: '/secret', headers: { 'x-staff': '1' } })
    expect(staff.json()).toEqual({ calls: 2 })
    expect(staff.headers.etag).toBeDefined()
    expect((await t.app.inject('/secret')).json()).toEqual({ calls: 1 })
  })

  it('lets a surrogate keep shared answers for a second at most, never bypassed ones', async () => {
    const t = await build()
    const miss = await t.app.inject('/secret')
    const hit = await t.app.inject('/secret')
    const signedIn = await t.app.inject({ url: '/secret', headers: { authorization: 'Bearer x' } })
    for (const shared of [miss, hit, signedIn]) {
      expect(shared.headers['surrogate-control']).toBe('max-age=1')
    }
    const staff = await t.app.inject({ url: '/secret', headers: { 'x-staff': '1' } })
    expect(staff.statusCode).toBe(200)
    expect(staff.headers['surrogate-control']).toBeUndefined()
    const head = await t.app.inject({ method: 'HEAD', url: '/secret' })
    expect(head.headers['surrogate-control']).toBeUndefined()
    expect((await t.app.inject('/missing')).headers['surrogate-control']).toBeUndefined()
  })

  it('caches neither errors nor routes that did not opt in', async () => {
    const t = await build()
    await t.app.inject('/missing')
    expect((await t.app.inject('/missing')).json()).toEqual({ calls: 2 })
    await t.app.inject('/plain')
    const plain = await t.app.inject('/plain')
    expect(plain.json()).toEqual({ calls: 4 })
    expect(plain.headers.etag).toBeUndefined()
  })

  it('keys by the URL with its parameters sorted by name', () => {
    expect(cacheKey('/p?b=1&a=2&b=0')).toBe('/p?a=2&b=1&b=0')
    expect(cacheKey('/p')).toBe('/p')
  })
})
