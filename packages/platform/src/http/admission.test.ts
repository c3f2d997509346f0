import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pino } from 'pino'
import type { Registry } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { earlyAdmission, registerEventLoopGuard, shedHeader } from './admission.js'
import { createHttpServer, type HttpServer } from './server.js'

const log = pino({ level: 'silent' })

/** A route whose requests wait until the test lets them go, counting those that started. */
function heldRoutes(limit: { concurrency: number; queue: number; maxWaitMs: number }) {
  const state = { started: 0, release: [] as Array<() => void> }
  const routes: FastifyPluginAsyncTypebox = async (app) => {
    app.post('/orders', { config: { admission: { ...limit, retryAfterSeconds: 2 } } }, async () => {
      state.started++
      await new Promise<void>((resolve) => state.release.push(resolve))
      return { placed: true }
    })
    app.get('/free', async () => ({ ok: true }))
  }
  return { routes, state }
}

let server: HttpServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function listen(routes: FastifyPluginAsyncTypebox, registry: Registry): Promise<string> {
  server = createHttpServer({ service: 'test', log, registry, routes })
  return server.listen({ port: 0, host: '127.0.0.1' })
}

const place = (base: string) =>
  fetch(`${base}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  })

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('admission control (a concurrency limit with a short queue per route)', () => {
  it('runs `concurrency` at once, queues `queue` more, and sheds the rest at once with retry-after, before the handler runs', async () => {
    const registry = createMetricsRegistry('test')
    const { routes, state } = heldRoutes({ concurrency: 2, queue: 1, maxWaitMs: 60_000 })
    const base = await listen(routes, registry)
    const running = [place(base), place(base)]
    await until(() => state.started === 2)
    const queued = place(base)
    await new Promise((resolve) => setTimeout(resolve, 100))
    // The queue holds one: the next is shed without waiting for anything.
    const shed = await place(base)
    expect(shed.status).toBe(503)
    expect(shed.headers.get('retry-after')).toBe('2')
    expect(shed.headers.get(shedHeader)).toBe('admission')
    expect(shed.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    expect(((await shed.json()) as { code: string }).code).toBe('HTTP.OVERLOADED')
    expect(state.started).toBe(2)
    // Other routes and the operational ones are never shed.
    expect((await fetch(`${base}/free`)).status).toBe(200)
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    expect((await fetch(`${base}/metrics`)).status).toBe(200)

    // A turn freed starts the queued request.
    state.release.shift()!()
    await until(() => state.started === 3)
    for (const release of state.release.splice(0)) release()
    const answers = await Promise.all([...running, queued])
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200])
    const metrics = await registry.getSingleMetricAsString('http_requests_shed_total')
    expect(metrics).toContain('route="/orders",reason="queue_full",service="test"} 1')
  })

  it("takes an `early` turn before the application's onRequest hooks: a shed request runs none of them", async () => {
    const registry = createMetricsRegistry('test')
    const hooked = { early: 0, late: 0 }
    const release: Array<() => void> = []
    const held = () => new Promise<void>((resolve) => release.push(resolve))
    const limit = { concurrency: 1, queue: 0, maxWaitMs: 0 }
    const base = await listen(async (app) => {
      // The early turn is taken where the application adds it: before its own hook (the
      // gateway's token check and rate limits).
      app.addHook('onRequest', earlyAdmission)
      app.addHook('onRequest', async (request) => {
        if (request.url === '/early') hooked.early++
        if (request.url === '/late') hooked.late++
      })
      app.post('/early', { config: { admission: { ...limit, early: true } } }, async () => {
        await held()
        return { placed: true }
      })
      app.post('/late', { config: { admission: limit } }, async () => {
        await held()
        return { placed: true }
      })
    }, registry)
    const post = (path: string) => fetch(`${base}${path}`, { method: 'POST' })
    const running = [post('/early'), post('/late')]
    await until(() => release.length === 2)
    const [early, late] = await Promise.all([post('/early'), post('/late')])
    for (const shed of [early, late]) {
      expect(shed.status).toBe(503)
      expect(shed.headers.get(shedHeader)).toBe('admission')
      expect(shed.headers.get('retry-after')).toBe('1')
      expect(((await shed.json()) as { code: string }).code).toBe('HTTP.OVERLOADED')
    }
    // The early route's shed request never reached the hook; the other route's did.
    expect(hooked).toEqual({ early: 1, late: 2 })
    for (const r of release.splice(0)) r()
    expect((await Promise.all(running)).map((a) => a.status)).toEqual([200, 200])
    // Its turn is free again once the first ended.
    const again = post('/early')
    await until(() => release.length === 1)
    release.shift()!()
    expect((await again).status).toBe(200)
    expect(hooked.early).toBe(2)
  })

  it('sheds a queued request whose wait passed maxWaitMs; its turn never started', async () => {
    const registry = createMetricsRegistry('test')
    const { routes, state } = heldRoutes({ concurrency: 1, queue: 10, maxWaitMs: 200 })
    const base = await listen(routes, registry)
    const first = place(base)
    await until(() => state.started === 1)
    const started = Date.now()
    const waited = await place(base)
    expect(waited.status).toBe(503)
    expect(waited.headers.get('retry-after')).toBe('2')
    // Wide margins: at least the bound, far less than the held request (held until released).
    expect(Date.now() - started).toBeGreaterThanOrEqual(150)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(state.started).toBe(1)
    state.release.shift()!()
    expect((await first).status).toBe(200)
    // The turn came back: the next request starts at once.
    const next = place(base)
    await until(() => state.started === 2)
    state.release.shift()!()
    expect((await next).status).toBe(200)
    const metrics = await registry.getSingleMetricAsString('http_requests_shed_total')
    expect(metrics).toContain('reason="queue_timeout",service="test"} 1')
  })

  it('frees a queue place when its client goes away, and a turn when the handler ends (client or not)', async () => {
    const registry = createMetricsRegistry('test')
    const { routes, state } = heldRoutes({ concurrency: 1, queue: 1, maxWaitMs: 60_000 })
    const base = await listen(routes, registry)
    const running = new AbortController()
    const held = fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: running.signal,
    }).catch(() => undefined)
    await until(() => state.started === 1)
    const waiting = new AbortController()
    const queued = fetch(`${base}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: waiting.signal,
    }).catch(() => undefined)
    await new Promise((resolve) => setTimeout(resolve, 100))
    // The queue is full: one more is shed. Its waiting client leaves: the place is free again.
    expect((await place(base)).status).toBe(503)
    waiting.abort()
    await queued
    await new Promise((resolve) => setTimeout(resolve, 100))
    running.abort()
    await held
    // The running handler's client left, but the handler still works: its turn is kept, so the
    // next request waits in the queue rather than running beside it.
    const next = place(base)
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(state.started).toBe(1)
    state.release.shift()!()
    await until(() => state.started === 2)
    state.release.shift()!()
    expect((await next).status).toBe(200)
  })
})

describe('retry-after under a backlog', () => {
  it('spreads the shed over the time to work the backlog off (at most 10 s), not all at 1 s', async () => {
    const registry = createMetricsRegistry('test')
    const { routes, state } = heldRoutes({ concurrency: 1, queue: 0, maxWaitMs: 10 })
    const base = await listen(routes, registry)
    // One request handled in about 200 ms sets the route's pace.
    const paced = place(base)
    await until(() => state.started === 1)
    await new Promise((resolve) => setTimeout(resolve, 200))
    state.release.shift()!()
    expect((await paced).status).toBe(200)
    const held = place(base)
    await until(() => state.started === 2)
    const shed = await Promise.all(Array.from({ length: 30 }, () => place(base)))
    const waits = shed.map((answer) => Number(answer.headers.get('retry-after')))
    expect(shed.every((answer) => answer.status === 503)).toBe(true)
    // The configured least (2) to the cap; some beyond the least, as 30 wait behind one.
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(2)
    expect(Math.max(...waits)).toBeLessThanOrEqual(10)
    expect(Math.max(...waits)).toBeGreaterThan(2)
    state.release.shift()!()
    expect((await held).status).toBe(200)
  })
})

describe('a route deadline (deadlineMs)', () => {
  it('answers 503 with retry-after at the deadline, the handler keeping its turn until it ends', async () => {
    const registry = createMetricsRegistry('test')
    const state = { started: 0, finished: 0, release: [] as Array<() => void> }
    const routes: FastifyPluginAsyncTypebox = async (app) => {
      const admission = { concurrency: 1, queue: 0, maxWaitMs: 10, deadlineMs: 300 }
      app.post('/orders', { config: { admission } }, async () => {
        state.started++
        await new Promise<void>((resolve) => state.release.push(resolve))
        state.finished++
        return { placed: true }
      })
    }
    const base = await listen(routes, registry)
    const late = await place(base)
    expect(late.status).toBe(503)
    expect(late.headers.get('retry-after')).toBe('1')
    expect(late.headers.get(shedHeader)).toBe('deadline')
    expect(((await late.json()) as { code: string }).code).toBe('HTTP.TIMEOUT')
    // Its handler still runs: the one turn is taken, so the next is shed at once.
    const next = await place(base)
    expect(next.status).toBe(503)
    expect(((await next.json()) as { code: string }).code).toBe('HTTP.OVERLOADED')
    expect(state.started).toBe(1)
    state.release.shift()!()
    await until(() => state.finished === 1)
    const after = place(base)
    await until(() => state.started === 2)
    state.release.shift()!()
    expect((await after).status).toBe(200)
  })
})

describe('event-loop guard (@fastify/under-pressure)', () => {
  it('sheds the routes it guards while the event loop lags, never the operational or exempt ones', async () => {
    const registry = createMetricsRegistry('test')
    const routes: FastifyPluginAsyncTypebox = async (app) => {
      await registerEventLoopGuard(app as never, {
        maxEventLoopDelayMs: 50,
        sampleIntervalMs: 50,
        retryAfterSeconds: 1,
        exempt: (request) => request.url.startsWith('/app/'),
        registry,
      })
      app.get('/guarded', async () => ({ ok: true }))
      app.get('/app/index.html', async () => ({ page: true }))
    }
    server = createHttpServer({ service: 'test', log, registry, routes })
    await server.ready()
    expect((await server.inject({ url: '/guarded' })).statusCode).toBe(200)
    // Block the loop well past the bound, then let the sampler run once.
    const until = Date.now() + 600
    while (Date.now() < until);
    await new Promise((resolve) => setTimeout(resolve, 0))
    const [guarded, health, metrics, exempt] = await Promise.all([
      server.inject({ url: '/guarded' }),
      server.inject({ url: '/healthz' }),
      server.inject({ url: '/metrics' }),
      server.inject({ url: '/app/index.html' }),
    ])
    expect(guarded.statusCode).toBe(503)
    expect(guarded.headers['retry-after']).toBe('1')
    expect(guarded.headers[shedHeader]).toBe('admission')
    expect(guarded.json()).toMatchObject({ code: 'HTTP.OVERLOADED', status: 503 })
    expect(health.statusCode).toBe(200)
    expect(metrics.statusCode).toBe(200)
    expect(exempt.statusCode).toBe(200)
    expect(metrics.body).toContain('reason="event_loop_delay"')
  })
})
