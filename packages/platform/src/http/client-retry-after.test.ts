import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { createMetricsRegistry, type Registry } from '../metrics.js'
import { shedHeader } from './admission.js'
import { createServiceClient, type ServiceClient } from './client.js'
import { createHttpServer, type HttpServer } from './server.js'

const log = pino({ level: 'silent' })

// A real upstream built as every service is: `/held` admits one request at a time and queues
// none, so while one is held every other is shed (503, retry-after 1, x-emporium-shed).
let upstream: HttpServer
let baseUrl: string
let started: number
let release: Array<() => void>
let plain: { status: number; headers: Record<string, string> }
let registry: Registry
const clients: ServiceClient[] = []

beforeEach(async () => {
  started = 0
  release = []
  plain = { status: 200, headers: {} }
  const routes: FastifyPluginAsyncTypebox = async (app) => {
    const admission = { concurrency: 1, queue: 0, maxWaitMs: 10, retryAfterSeconds: 1 }
    app.all('/held', { config: { admission } }, async () => {
      started++
      await new Promise<void>((resolve) => release.push(resolve))
      return { ok: true }
    })
    // Answers what the test sets, without admission control.
    app.all('/plain', async (_request, reply) => {
      started++
      return reply.code(plain.status).headers(plain.headers).send({ code: 'X' })
    })
  }
  upstream = createHttpServer({
    service: 'catalog',
    log,
    registry: createMetricsRegistry('catalog'),
    routes,
  })
  baseUrl = await upstream.listen({ port: 0, host: '127.0.0.1' })
  registry = createMetricsRegistry('orders', { processMetrics: false })
})

afterEach(async () => {
  for (const r of release.splice(0)) r()
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await upstream.close()
})

function client(): ServiceClient {
  const created = createServiceClient({
    name: 'catalog',
    baseUrls: [baseUrl],
    registry,
    log,
    timeoutMs: 5_000,
    retries: 0,
    // A breaker that would open on two failures in two calls, were shed answers failures.
    breaker: { minimumCalls: 2, failureRatio: 0.5, windowMs: 30_000, halfOpenAfterMs: 30_000 },
  })
  clients.push(created)
  return created
}

async function holdTheTurn(c: ServiceClient) {
  const held = c.request({ method: 'POST', path: '/held', body: {} })
  for (let i = 0; i < 500 && started === 0; i++) await new Promise((r) => setTimeout(r, 10))
  expect(started).toBe(1)
  // Wrapped: an async function returning the promise itself would wait for it.
  return { held }
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => expect.unreachable('expected a failure'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

async function metric(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? []
  const found = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
  return found?.value
}

describe('service client and retry-after', () => {
  it('retries a POST that admission control shed, after retry-after, when the wait fits the budget', async () => {
    const c = client()
    const { held } = await holdTheTurn(c)
    const retried = c.request({ method: 'POST', path: '/held', body: {}, budgetMs: 10_000 })
    // Free the turn before the retry-after second ends: the retry gets it.
    await new Promise((r) => setTimeout(r, 200))
    release.shift()!()
    expect((await held).status).toBe(200)
    for (let i = 0; i < 500 && started < 2; i++) await new Promise((r) => setTimeout(r, 10))
    release.shift()!()
    expect((await retried).status).toBe(200)
    // The shed attempt never started: two requests reached the handler, one each.
    expect(started).toBe(2)
    expect(await metric('http_client_shed_total', { action: 'retried' })).toBe(1)
  })

  it('surfaces a shed answer whose wait does not fit as 503 UPSTREAM.OVERLOADED with retry-after, passed on as shed', async () => {
    const c = client()
    const { held } = await holdTheTurn(c)
    const error = await failure(
      c.request({ method: 'POST', path: '/held', body: {}, budgetMs: 500 }),
    )
    expect(error.status).toBe(503)
    expect(error.code).toBe('UPSTREAM.OVERLOADED')
    expect(error.details).toMatchObject({ retryAfterSeconds: 1, shed: 'upstream' })
    expect(started).toBe(1)
    release.shift()!()
    await held

    // Our own answer carries retry-after and the mark, so our callers do not count it either.
    const edge = createHttpServer({
      service: 'orders',
      log,
      registry: createMetricsRegistry('orders-edge'),
      routes: async (app) => {
        app.get('/place', async () => {
          throw error
        })
      },
    })
    const answer = await edge.inject({ url: '/place' })
    await edge.close()
    expect(answer.statusCode).toBe(503)
    expect(answer.headers['retry-after']).toBe('1')
    expect(answer.headers[shedHeader]).toBe('upstream')
  })

  it('never opens the circuit for shed answers, however many', async () => {
    const c = client()
    const { held } = await holdTheTurn(c)
    for (let i = 0; i < 10; i++) {
      const error = await failure(
        c.request({ method: 'POST', path: '/held', body: {}, budgetMs: 100 }),
      )
      expect(error.code).toBe('UPSTREAM.OVERLOADED')
    }
    release.shift()!()
    await held
    // Closed: the next call goes through (an open circuit would refuse it at once).
    const next = c.request({ method: 'POST', path: '/held', body: {} })
    for (let i = 0; i < 500 && started < 2; i++) await new Promise((r) => setTimeout(r, 10))
    release.shift()!()
    expect((await next).status).toBe(200)
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    expect(await metric('http_client_requests_total', { outcome: 'shed' })).toBe(10)
  })

  it('retries an idempotent call on a 429 with retry-after; returns a POST’s 429 (the caller’s to read)', async () => {
    const c = client()
    plain = { status: 429, headers: { 'retry-after': '1' } }
    const began = Date.now()
    const get = c.request({ method: 'GET', path: '/plain', budgetMs: 10_000 })
    await new Promise((r) => setTimeout(r, 300))
    plain = { status: 200, headers: {} }
    expect((await get).status).toBe(200)
    expect(Date.now() - began).toBeGreaterThanOrEqual(900)
    expect(started).toBe(2)

    plain = { status: 429, headers: { 'retry-after': '1' } }
    const post = await c.request({ method: 'POST', path: '/plain', body: {}, budgetMs: 10_000 })
    expect(post.status).toBe(429)
    expect(started).toBe(3)
  })

  it('does not repeat a POST on an unmarked 503 (it may have started), but passes its retry-after on', async () => {
    const c = client()
    plain = { status: 503, headers: { 'retry-after': '2' } }
    const error = await failure(
      c.request({ method: 'POST', path: '/plain', body: {}, budgetMs: 10_000 }),
    )
    expect(error.code).toBe('UPSTREAM.UNAVAILABLE')
    expect(error.details.retryAfterSeconds).toBe(2)
    expect(started).toBe(1)
  })
})
