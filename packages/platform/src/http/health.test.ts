import { setTimeout as delay } from 'node:timers/promises'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import type { ReadinessCheck } from './health.js'
import { createHttpServer, type HttpServer } from './server.js'

const log = pino({ level: 'silent' })
const servers: HttpServer[] = []

function build(readiness: ReadinessCheck[] = [], registry = createMetricsRegistry('shop')) {
  const server = createHttpServer({
    service: 'shop',
    log,
    registry,
    readiness,
    readinessTimeoutMs: 100,
    routes: async (app) => {
      app.get('/products/:id', async () => ({ ok: true }))
    },
  })
  servers.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe('health', () => {
  it('answers /healthz', async () => {
    const res = await build().inject('/healthz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ok' })
  })

  it('is ready when every check passes', async () => {
    const res = await build([{ name: 'database', check: async () => {} }]).inject('/readyz')
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ status: 'ready', checks: { database: 'ok' } })
  })

  it('is unavailable when a check fails or does not answer in time', async () => {
    const server = build([
      { name: 'database', check: async () => {} },
      { name: 'broker', check: () => Promise.reject(new Error('connection refused')) },
      { name: 'cache', check: () => delay(5_000) },
    ])
    const started = Date.now()
    const res = await server.inject('/readyz')
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(res.statusCode).toBe(503)
    expect(res.json()).toEqual({
      status: 'unavailable',
      checks: { database: 'ok', broker: 'connection refused', cache: 'no answer within 100 ms' },
    })
  })
})

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue
    const matches = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))
    if (matches) return Number(line.split(' ').at(-1))
  }
  return undefined
}

describe('metrics', () => {
  it('counts requests by method, route pattern and status, and times them', async () => {
    const server = build()
    await server.inject('/products/p-1')
    await server.inject('/products/p-2')
    await server.inject('/no/such/thing')
    await server.inject('/healthz')
    await server.inject('/readyz')
    const res = await server.inject('/metrics')
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toMatch(/^text\/plain/)
    const text = res.body
    const ok = { method: 'GET', route: '/products/:id', status: '200', service: 'shop' }
    expect(sample(text, 'http_requests_total', ok)).toBe(2)
    expect(sample(text, 'http_request_duration_seconds_count', ok)).toBe(2)
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1)
    // Bounded labels: no raw URLs, and probes and scrapes are left out.
    expect(text).not.toContain('p-1')
    expect(text).not.toContain('/no/such/thing')
    expect(text).not.toMatch(/route="\/(healthz|readyz|metrics)"/)
    // The process metrics of the service's registry are there too.
    expect(text).toContain('process_cpu_user_seconds_total')
  })

  it('lets two servers share a registry', async () => {
    const registry = createMetricsRegistry('shop', { processMetrics: false })
    const first = build([], registry)
    const second = build([], registry)
    await first.inject('/products/1')
    await second.inject('/products/2')
    const text = (await second.inject('/metrics')).body
    expect(sample(text, 'http_requests_total', { route: '/products/:id' })).toBe(2)
  })
})
