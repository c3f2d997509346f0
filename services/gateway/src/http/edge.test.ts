import type { JwtVerifier } from '@emporium/platform'
import Fastify from 'fastify'
import { Registry } from 'prom-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RouteMatch } from '../domain/route-match.js'
import type { RateLimitStore } from '../app/ports.js'
import { edgeHook, edgeStateOf } from './edge.js'
import { createGatewayMetrics } from './gateway-metrics.js'

// The route matches the edge keeps for the paths asked most: at most 1,000, the oldest dropped
// when full (a crawler's distinct paths must not grow the gateway's memory without bound).
describe('the edge keeps route matches, bounded', () => {
  const matched: string[] = []
  const rule = { upstream: 'catalog', access: 'public' } as unknown as RouteMatch['rule']
  const match = (method: string, segments: readonly string[]): RouteMatch => {
    matched.push(`${method} /${segments.join('/')}`)
    return { rule, upstreamPath: `/${segments.slice(2).join('/')}` }
  }
  const verifier: JwtVerifier = {
    verify: () => Promise.reject(new Error('no token is sent in these tests')),
  }
  const policy = { name: 'general', limit: 1_000_000, periodMs: 60_000 }
  // Every request allowed: the quotas are not what these tests are about.
  const store: RateLimitStore = {
    consume: (spent) =>
      Promise.resolve({
        allowed: true,
        policy: spent,
        remaining: spent.limit,
        resetMs: 0,
        retryAfterMs: 0,
      }),
    spendAccountAttempt: () => Promise.reject(new Error('no login in these tests')),
    refundAccountAttempt: () => Promise.resolve(),
  }
  const app = Fastify()
  app.addHook(
    'onRequest',
    edgeHook({
      verifier,
      store,
      policies: {
        general: policy,
        login: policy,
        register: policy,
        'password-reset': policy,
        guest: policy,
      },
      trust: { enabled: false, hops: 0 },
      match,
      metrics: createGatewayMetrics(new Registry()),
    }),
  )
  app.get('/api/v1/*', { config: { proxied: true } }, (request) => ({
    upstreamPath: edgeStateOf(request).match?.upstreamPath,
  }))
  beforeAll(() => app.ready())
  afterAll(() => app.close())

  const get = async (path: string) => {
    const response = await app.inject({ method: 'GET', url: path })
    expect(response.statusCode).toBe(200)
    return response.json<{ upstreamPath: string }>()
  }
  const timesMatched = (path: string) => matched.filter((m) => m === `GET ${path}`).length

  it('matches a path once while it is kept, query strings aside', async () => {
    expect(await get('/api/v1/products/kept?limit=5')).toEqual({ upstreamPath: '/products/kept' })
    await get('/api/v1/products/kept?limit=20')
    await get('/api/v1/products/kept')
    expect(timesMatched('/api/v1/products/kept')).toBe(1)
  })

  it('drops the oldest path when 1,000 are kept, and keeps the newer ones', async () => {
    await get('/api/v1/products/first')
    for (let i = 0; i < 999; i++) await get(`/api/v1/products/p${i}`)
    // 1,001 paths asked: the oldest (kept, above) went when the last came.
    await get('/api/v1/products/first')
    await get('/api/v1/products/p998')
    expect(timesMatched('/api/v1/products/first')).toBe(1)
    expect(timesMatched('/api/v1/products/kept')).toBe(1)
    await get('/api/v1/products/kept')
    expect(timesMatched('/api/v1/products/kept')).toBe(2)
    expect(timesMatched('/api/v1/products/p998')).toBe(1)
  })
})
