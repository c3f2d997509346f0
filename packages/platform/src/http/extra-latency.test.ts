import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { pino } from 'pino'
import Type from 'typebox'
import { afterEach, describe, expect, it } from 'vitest'
import { extraLatencyOf, loadConfig, SharedConfig } from '../config.js'
import { createMetricsRegistry } from '../metrics.js'
import { startService, type RunningService } from '../runtime.js'
import { createHttpServer, type HttpServer, type HttpServerOptions } from './server.js'

// EXTRA_LATENCY_MS: the chaos runner's way to make one service slow without touching its code.

const log = pino({ level: 'silent' })
const servers: HttpServer[] = []
const running: RunningService[] = []

function build(options: Partial<HttpServerOptions> = {}): HttpServer {
  const server = createHttpServer({
    service: 'test',
    log,
    registry: createMetricsRegistry('test', { processMetrics: false }),
    routes: async (app) => {
      app.get('/ping', async () => ({ pong: true }))
    },
    ...options,
  })
  servers.push(server)
  return server
}

async function timed(work: () => Promise<{ statusCode: number }>) {
  const started = performance.now()
  const { statusCode } = await work()
  return { statusCode, ms: performance.now() - started }
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  for (const service of running.splice(0)) await service.stopHttp()
})

describe('extra latency (fault injection)', () => {
  it('holds every request for ms plus the jitter drawn, and leaves probes and scrapes alone', async () => {
    const server = build({ extraLatency: { ms: 400, jitterMs: 200, random: () => 0.5 } })
    const slow = await timed(() => server.inject('/ping'))
    expect(slow.statusCode).toBe(200)
    expect(slow.ms).toBeGreaterThanOrEqual(495)
    // An unknown route is a request like any other: the service is slow to say 404 too.
    expect((await timed(() => server.inject('/nowhere'))).ms).toBeGreaterThanOrEqual(495)
    for (const probe of ['/healthz', '/readyz', '/metrics']) {
      const answer = await timed(() => server.inject(probe))
      expect(answer.statusCode).toBe(200)
      expect(answer.ms).toBeLessThan(250)
    }
  })

  it('is off without the option and with zero values', async () => {
    for (const server of [build(), build({ extraLatency: { ms: 0, jitterMs: 0 } })]) {
      await server.inject('/ping') // warm up the route's serializer
      expect((await timed(() => server.inject('/ping'))).ms).toBeLessThan(250)
    }
  })

  it('follows EXTRA_LATENCY_FILE while running: on when it appears, off when it goes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'latency-'))
    const file = join(dir, 'latency.json')
    try {
      const server = build({ extraLatency: { ms: 0, file, pollMs: 50 } })
      await server.ready()
      await server.inject('/ping')
      expect((await timed(() => server.inject('/ping'))).ms).toBeLessThan(250)
      writeFileSync(file, JSON.stringify({ ms: 500, jitterMs: 0 }))
      await delay(200)
      expect((await timed(() => server.inject('/ping'))).ms).toBeGreaterThanOrEqual(495)
      expect((await timed(() => server.inject('/readyz'))).ms).toBeLessThan(250)
      rmSync(file)
      await delay(200)
      expect((await timed(() => server.inject('/ping'))).ms).toBeLessThan(250)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('is read from EXTRA_LATENCY_MS and EXTRA_LATENCY_JITTER_MS, off by default', () => {
    const schema = Type.Object({ ...SharedConfig })
    expect(extraLatencyOf(loadConfig(schema, {}))).toBeUndefined()
    expect(
      extraLatencyOf(
        loadConfig(schema, { EXTRA_LATENCY_MS: '250', EXTRA_LATENCY_JITTER_MS: '50' }),
      ),
    ).toEqual({ ms: 250, jitterMs: 50 })
    expect(extraLatencyOf(loadConfig(schema, { EXTRA_LATENCY_FILE: '/run/latency.json' }))).toEqual(
      { ms: 0, jitterMs: 0, file: '/run/latency.json' },
    )
    expect(() => loadConfig(schema, { EXTRA_LATENCY_MS: '-1' })).toThrow(/EXTRA_LATENCY_MS/)
  })

  it('reaches the server a service runs on (startService), over a real socket', async () => {
    const service = await startService(
      {
        name: 'slowpoke',
        routes: async (app) => {
          app.get('/ping', async () => ({ pong: true }))
        },
      },
      { port: 0, log, extraLatency: { ms: 500 } },
    )
    running.push(service)
    const started = performance.now()
    const response = await fetch(`${service.url}/ping`)
    expect(response.status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(495)
  })
})
