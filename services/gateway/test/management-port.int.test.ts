import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream } from './fake-upstreams.js'
import { call, startGateway, type TestGateway } from './gateway-harness.js'

// Operations data (metrics, the detailed readiness naming dependencies) stays off the public
// port: Prometheus and the probes use the management port, which no Ingress routes.

let catalog: Awaited<ReturnType<typeof startEchoUpstream>>
let gateway: TestGateway

beforeAll(async () => {
  catalog = await startEchoUpstream({ name: 'catalog' })
  gateway = await startGateway({ GATEWAY_CATALOG_URLS: catalog.url })
})

afterAll(async () => {
  await gateway?.stop()
  await catalog?.stop()
})

describe('public port', () => {
  it('answers a bare liveness check', async () => {
    const alive = await call(`${gateway.url}/healthz`)
    expect(alive.status).toBe(200)
    expect(alive.json()).toEqual({ status: 'ok' })
  })

  it('answers /metrics and /readyz with a 404 problem, whatever the client accepts', async () => {
    for (const path of ['/metrics', '/readyz', '/metrics?x=1', '/readyz/']) {
      for (const accept of ['application/json', 'text/html', 'text/plain; version=0.0.4']) {
        const answer = await call(`${gateway.url}${path}`, { headers: { accept } })
        expect(answer.status, `${path} ${accept}`).toBe(404)
        expect(answer.headers['content-type']).toContain('application/problem+json')
        expect(answer.json()).toMatchObject({ code: 'HTTP.NOT_FOUND' })
        expect(answer.text).not.toMatch(/gateway_|redis|127\.0\.0\.1/)
      }
    }
    expect(catalog.received).toHaveLength(0) // nothing was forwarded either
  })

  it('does not answer them with the storefront page either', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-storefront-'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>shop</title>')
    const shop = await startGateway({
      GATEWAY_CATALOG_URLS: catalog.url,
      GATEWAY_STOREFRONT_DIR: dir,
    })
    try {
      expect(
        (await call(`${shop.url}/account`, { headers: { accept: 'text/html' } })).text,
      ).toContain('<title>shop</title>')
      for (const path of ['/metrics', '/readyz']) {
        const answer = await call(`${shop.url}${path}`, { headers: { accept: 'text/html' } })
        expect(answer.status, path).toBe(404)
        expect(answer.json()).toMatchObject({ code: 'HTTP.NOT_FOUND' })
      }
    } finally {
      await shop.stop()
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('no longer points to them from the API index', async () => {
    const index = await call(`${gateway.url}/`, { headers: { accept: 'application/json' } })
    expect(index.json()).toMatchObject({ health: { alive: '/healthz' } })
    expect(index.text).not.toMatch(/readyz|metrics/)
  })
})

describe('management port', () => {
  it('serves the metrics', async () => {
    await call(`${gateway.url}/api/v1/products/p1`)
    const metrics = await call(`${gateway.managementUrl}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.headers['content-type']).toContain('text/plain')
    expect(metrics.text).toMatch(/gateway_upstream_breaker_state\{[^}]*upstream="catalog"[^}]*\} 0/)
    expect(metrics.text).toMatch(/gateway_upstream_requests_total\{[^}]*upstream="catalog"/)
  })

  it('serves the detailed readiness and liveness', async () => {
    const ready = await call(`${gateway.managementUrl}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.json()).toEqual({ status: 'ready', checks: { redis: 'ok' } })
    expect((await call(`${gateway.managementUrl}/healthz`)).json()).toEqual({ status: 'ok' })
  })

  it('serves nothing else: the API is not reachable through it', async () => {
    const before = catalog.received.length
    const answer = await call(`${gateway.managementUrl}/api/v1/products/p1`)
    expect(answer.status).toBe(404)
    expect(answer.json()).toMatchObject({ code: 'HTTP.NOT_FOUND' })
    expect(catalog.received).toHaveLength(before)
  })

  it('listens on a port of its own', () => {
    expect(new URL(gateway.managementUrl).port).not.toBe(new URL(gateway.url).port)
  })
})
