import { setTimeout as delay } from 'node:timers/promises'
import Fastify, { type FastifyInstance } from 'fastify'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { currentContext, runWithContext } from '../context.js'
import { AppError } from '../errors.js'
import { createMetricsRegistry, type Registry } from '../metrics.js'
import { currentTraceparent, withSpan } from '../tracing.js'
import { createServiceClient, type ServiceClient, type ServiceClientOptions } from './client.js'
import { createHttpServer } from './server.js'

const log = pino({ level: 'silent' })

/** A real upstream on an ephemeral port whose behaviour each test sets, counting its hits. */
let upstream: FastifyInstance
let baseUrl: string
let hits: number
let behave: (n: number) => Promise<{ status: number; body?: unknown }>
let registry: Registry
const clients: ServiceClient[] = []

beforeEach(async () => {
  hits = 0
  behave = async () => ({ status: 200 })
  upstream = Fastify({ forceCloseConnections: true })
  upstream.all('/thing', async (request, reply) => {
    hits += 1
    const { status, body } = await behave(hits)
    return reply.code(status).send(body ?? { method: request.method, query: request.query })
  })
  baseUrl = await upstream.listen({ port: 0, host: '127.0.0.1' })
  registry = createMetricsRegistry('orders', { processMetrics: false })
})

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
  await upstream.close()
})

function client(options: Partial<ServiceClientOptions> = {}): ServiceClient {
  const created = createServiceClient({
    name: 'catalog',
    baseUrls: [baseUrl],
    registry,
    log,
    timeoutMs: 200,
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
    ...options,
  })
  clients.push(created)
  return created
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

describe('service client', () => {
  it('returns answers below 500, 4xx included, with JSON bodies and query strings', async () => {
    const ok = await client().request({
      method: 'GET',
      path: '/thing',
      query: { a: 1, b: ['x', 'y'] },
    })
    expect(ok).toMatchObject({
      status: 200,
      body: { method: 'GET', query: { a: '1', b: ['x', 'y'] } },
    })
    behave = async () => ({ status: 409, body: { code: 'CATALOG.CONFLICT' } })
    const conflict = await client().request({ method: 'POST', path: '/thing', body: { q: 1 } })
    expect(conflict).toMatchObject({ status: 409, body: { code: 'CATALOG.CONFLICT' } })
    expect(
      await metric('http_client_requests_total', { upstream: 'catalog', outcome: 'success' }),
    ).toBe(1)
    expect(await metric('http_client_requests_total', { outcome: 'client_error' })).toBe(1)
  })

  it('times out an attempt as UPSTREAM.TIMEOUT', async () => {
    behave = async () => {
      await delay(1_000)
      return { status: 200 }
    }
    const started = Date.now()
    const error = await failure(client({ retries: 0 }).request({ method: 'GET', path: '/thing' }))
    expect(Date.now() - started).toBeLessThan(800)
    expect(error).toMatchObject({ code: 'UPSTREAM.TIMEOUT', kind: 'timeout', status: 504 })
    expect(hits).toBe(1)
  })

  it('retries an idempotent request on 502/503/504 and timeouts, then succeeds', async () => {
    behave = async (n) => {
      if (n === 1) return { status: 503 }
      if (n === 2) await delay(400) // times out
      return { status: 200, body: { n } }
    }
    const res = await client().request({ method: 'GET', path: '/thing' })
    expect(res.body).toEqual({ n: 3 })
    expect(hits).toBe(3)
    expect(await metric('http_client_retries_total', { upstream: 'catalog' })).toBe(2)
  })

  it('gives up after the configured retries', async () => {
    behave = async () => ({ status: 502 })
    const error = await failure(client({ retries: 2 }).request({ method: 'PUT', path: '/thing' }))
    expect(error).toMatchObject({ code: 'UPSTREAM.UNAVAILABLE', status: 503 })
    expect(hits).toBe(3)
  })

  it('never retries POST or PATCH, nor a 500', async () => {
    behave = async () => ({ status: 503 })
    await failure(client().request({ method: 'POST', path: '/thing', body: {} }))
    await failure(client().request({ method: 'PATCH', path: '/thing', body: {} }))
    expect(hits).toBe(2)
    behave = async () => ({ status: 500 })
    await failure(client().request({ method: 'GET', path: '/thing' }))
    expect(hits).toBe(3)
  })

  it('retries a refused connection on the next instance', async () => {
    const dead = 'http://127.0.0.1:1'
    const res = await client({ baseUrls: [dead, baseUrl] }).request({
      method: 'GET',
      path: '/thing',
    })
    expect(res.status).toBe(200)
    const error = await failure(
      client({ baseUrls: [dead], retries: 0 }).request({ method: 'GET', path: '/thing' }),
    )
    expect(error).toMatchObject({
      code: 'UPSTREAM.UNAVAILABLE',
      details: { reason: 'network_error' },
    })
  })

  it('opens the circuit on a ratio of 502-504 over the minimum of calls, fails fast, closes', async () => {
    behave = async () => ({ status: 503 })
    const catalog = client({
      retries: 0,
      breaker: { failureRatio: 0.5, windowMs: 10_000, minimumCalls: 6, halfOpenAfterMs: 300 },
    })
    const call = () => catalog.request({ method: 'GET', path: '/thing' })
    // Below the minimum of calls in the window, failures alone do not open it.
    for (let i = 0; i < 5; i++) await failure(call())
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    await failure(call()) // the sixth: 6 of 6 failed
    expect(hits).toBe(6)
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(2)

    const open = await failure(call())
    expect(hits).toBe(6) // failed fast: the upstream saw nothing
    expect(open).toMatchObject({ code: 'UPSTREAM.UNAVAILABLE', kind: 'unavailable' })
    expect(open.details.retryAfterSeconds).toBe(1)
    expect(await metric('http_client_requests_total', { outcome: 'circuit_open' })).toBe(1)

    await delay(350)
    behave = async () => ({ status: 200, body: { back: true } })
    // The first call after the pause is the trial: on success the circuit closes.
    expect((await call()).body).toEqual({ back: true })
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    await call()
    expect(hits).toBe(8)
  })

  it('opens on refused connections as on 503s', async () => {
    const catalog = client({
      baseUrls: ['http://127.0.0.1:1'],
      retries: 0,
      breaker: { minimumCalls: 4, halfOpenAfterMs: 60_000 },
    })
    const call = () => catalog.request({ method: 'GET', path: '/thing' })
    for (let i = 0; i < 4; i++) {
      expect(await failure(call())).toMatchObject({ details: { reason: 'network_error' } })
    }
    expect(await failure(call())).toMatchObject({
      code: 'UPSTREAM.UNAVAILABLE',
      details: { reason: 'circuit_open', retryAfterSeconds: 60 },
    })
  })

  it('weighs failures against the answers in the window, not a run of consecutive ones', async () => {
    const catalog = client({ retries: 0, breaker: { failureRatio: 0.5, minimumCalls: 4 } })
    const call = () => catalog.request({ method: 'GET', path: '/thing' })
    for (let i = 0; i < 6; i++) await call()
    behave = async () => ({ status: 502 })
    // Six failures in a row, but 6 of 12 calls: not above half.
    for (let i = 0; i < 6; i++) await failure(call())
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    await failure(call()) // 7 of 13
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(2)
  })

  it('passes a 500 to the caller as UPSTREAM.SERVER_ERROR and counts it as a bug, not an outage', async () => {
    behave = async () => ({ status: 500, body: { code: 'INTERNAL' } })
    // A breaker that two infrastructure failures would open (and a deadline no busy machine
    // misses: a timeout is an infrastructure failure).
    const catalog = client({
      timeoutMs: 10_000,
      breaker: { minimumCalls: 2, halfOpenAfterMs: 60_000 },
    })
    const errors = await Promise.all(
      Array.from({ length: 20 }, () => failure(catalog.request({ method: 'GET', path: '/thing' }))),
    )
    for (const error of errors) {
      expect(error).toMatchObject({
        code: 'UPSTREAM.SERVER_ERROR',
        kind: 'internal',
        status: 500,
        details: { upstream: 'catalog', status: 500 },
      })
    }
    expect(hits).toBe(20) // never retried
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    expect(await metric('http_client_upstream_bugs_total', { upstream: 'catalog' })).toBe(20)
    expect(await metric('http_client_requests_total', { outcome: 'server_error' })).toBe(20)
    // The next caller, asking for something that works, is served.
    behave = async () => ({ status: 200, body: { fine: true } })
    expect((await catalog.request({ method: 'GET', path: '/thing' })).body).toEqual({ fine: true })
  })

  it('does not leave an instance that answers 500 out of the rotation', async () => {
    const second = Fastify()
    second.get('/thing', async () => ({ from: 'second' }))
    const secondUrl = await second.listen({ port: 0, host: '127.0.0.1' })
    try {
      behave = async () => ({ status: 500 })
      const catalog = client({ baseUrls: [baseUrl, secondUrl], ejectForMs: 60_000 })
      for (let i = 0; i < 4; i++) {
        await catalog.request({ method: 'GET', path: '/thing' }).catch(() => undefined)
      }
      expect(hits).toBe(2) // still every other call
    } finally {
      await second.close()
    }
  })

  it('leaves a dead instance out of the rotation so its sibling serves, and tries it later', async () => {
    const dead = 'http://127.0.0.1:1'
    const catalog = client({
      baseUrls: [dead, baseUrl],
      breaker: { minimumCalls: 3 },
      ejectForMs: 300,
    })
    const post = () =>
      catalog.request({ method: 'POST', path: '/thing', body: {} }).then(
        () => 'ok',
        (error: AppError) => error.code,
      )
    // POST is never retried: the first call to the dead instance fails, none after it.
    const outcomes = []
    for (let i = 0; i < 10; i++) outcomes.push(await post())
    expect(outcomes).toEqual(['UPSTREAM.UNAVAILABLE', ...Array(9).fill('ok')])
    expect(hits).toBe(9)
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    // Once the time is up the instance is tried again (and, still dead, left out again).
    await delay(350)
    const again = [await post(), await post(), await post()]
    expect(again.filter((o) => o !== 'ok')).toHaveLength(1)
    expect(hits).toBe(11)
  })

  it('with one instance, keeps calling it (the breaker alone guards it)', async () => {
    behave = async (n) => ({ status: n === 1 ? 503 : 200 })
    const catalog = client({ retries: 0, ejectForMs: 60_000 })
    await failure(catalog.request({ method: 'GET', path: '/thing' }))
    expect((await catalog.request({ method: 'GET', path: '/thing' })).status).toBe(200)
    expect(hits).toBe(2)
  })

  it('does not count 4xx answers against the circuit', async () => {
    behave = async () => ({ status: 404 })
    const catalog = client({ retries: 0, breaker: { minimumCalls: 2 } })
    for (let i = 0; i < 4; i++)
      expect((await catalog.request({ method: 'GET', path: '/thing' })).status).toBe(404)
    expect(hits).toBe(4)
    expect(await metric('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
  })
})

describe('context propagation', () => {
  it('passes on the request id, correlation id and trace to the upstream', async () => {
    const service = createHttpServer({
      service: 'catalog',
      log,
      registry: createMetricsRegistry('catalog', { processMetrics: false }),
      routes: async (app) => {
        app.get('/seen', async (request) => ({
          requestId: request.id,
          work: currentContext(),
          traceparent: currentTraceparent(),
        }))
      },
    })
    const url = await service.listen({ port: 0, host: '127.0.0.1' })
    try {
      const catalog = client({ baseUrls: [url] })
      const work = { requestId: 'req-42', correlationId: 'checkout-7' }
      const { body, sent } = await runWithContext(work, () =>
        withSpan('place order', {}, async () => {
          const sent = currentTraceparent()!
          const res = await catalog.request<Record<string, any>>({ method: 'GET', path: '/seen' })
          return { body: res.body, sent }
        }),
      )
      expect(body.requestId).toBe('req-42')
      expect(body.work).toEqual(work)
      expect(body.traceparent.split('-')[1]).toBe(sent.split('-')[1])
    } finally {
      await service.close()
    }
  })
})
