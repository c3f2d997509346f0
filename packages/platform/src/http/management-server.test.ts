import { pino } from 'pino'
import { Counter } from 'prom-client'
import { afterEach, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { startService, type RunningService } from '../runtime.js'

const log = pino({ level: 'silent' })
const running: RunningService[] = []

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stopHttp()))
})

async function start(management?: { port: number; host?: string }) {
  const registry = createMetricsRegistry('shop', { processMetrics: false })
  new Counter({ name: 'shop_things_total', help: 'things', registers: [registry] }).inc()
  const service = await startService(
    {
      name: 'shop',
      registry,
      readiness: [{ name: 'warehouse', check: async () => 'degraded: warehouse-1.internal:5432' }],
      management,
      routes: async (app) => {
        app.get('/things', async () => ({ things: [] }))
      },
    },
    { port: 0, log },
  )
  running.push(service)
  return service
}

const get = async (url: string) => {
  const response = await fetch(url)
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    text: await response.text(),
  }
}

describe('management server', () => {
  it('takes /metrics and the detailed /readyz off the service port, which keeps /healthz', async () => {
    const shop = await start({ port: 0 })
    expect(shop.managementUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)

    expect(await get(`${shop.url}/healthz`)).toMatchObject({ status: 200, text: '{"status":"ok"}' })
    for (const path of ['/metrics', '/readyz']) {
      const hidden = await get(`${shop.url}${path}`)
      expect(hidden.status).toBe(404)
      expect(hidden.type).toContain('application/problem+json')
      expect(hidden.text).not.toMatch(/shop_things_total|warehouse/)
    }
    expect((await get(`${shop.url}/things`)).status).toBe(200)

    const metrics = await get(`${shop.managementUrl}/metrics`)
    expect(metrics.status).toBe(200)
    expect(metrics.text).toMatch(/^shop_things_total(\{[^}]*\})? 1$/m)
    const ready = await get(`${shop.managementUrl}/readyz`)
    expect(JSON.parse(ready.text)).toEqual({
      status: 'ready',
      checks: { warehouse: 'degraded: warehouse-1.internal:5432' },
    })
    expect((await get(`${shop.managementUrl}/healthz`)).status).toBe(200)
    const other = await get(`${shop.managementUrl}/things`)
    expect(other.status).toBe(404)
    expect(other.type).toContain('application/problem+json')
  })

  it('without one, the service port serves all three, as before', async () => {
    const shop = await start()
    expect(shop.managementUrl).toBeUndefined()
    expect((await get(`${shop.url}/metrics`)).text).toMatch(/^shop_things_total(\{[^}]*\})? 1$/m)
    expect((await get(`${shop.url}/readyz`)).status).toBe(200)
  })

  it('closes with the service', async () => {
    const shop = await start({ port: 0 })
    await running.splice(0)[0]!.stopHttp()
    await expect(fetch(`${shop.managementUrl}/healthz`)).rejects.toThrow()
  })
})
