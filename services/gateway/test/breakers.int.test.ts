import { connect } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, startEchoUpstream } from './fake-upstreams.js'
import { call, from, startGateway, type TestGateway } from './gateway-harness.js'

// The upstreams' circuit breakers: a few bad requests, however close together, must never open
// a circuit for everyone; only infrastructure failures at a ratio over a minimum of calls do.

let catalog: Awaited<ReturnType<typeof startEchoUpstream>>
const gateways: TestGateway[] = []

beforeAll(async () => {
  catalog = await startEchoUpstream({ name: 'catalog' })
})

afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.stop()))
})

afterAll(async () => {
  await catalog?.stop()
})

/** A gateway whose breaker is strict: 4 calls in the window, over half failed; open 1 s. */
async function gateway(catalogUrls = catalog.url, openMs = 1_000) {
  const started = await startGateway({
    GATEWAY_CATALOG_URLS: catalogUrls,
    GATEWAY_BREAKER_MIN_CALLS: 4,
    GATEWAY_BREAKER_FAILURE_RATIO: 0.5,
    GATEWAY_BREAKER_HALF_OPEN_MS: openMs,
    // A deadline no busy machine misses: a timeout is an infrastructure failure.
    GATEWAY_UPSTREAM_TIMEOUT_MS: 10_000,
  })
  gateways.push(started)
  return started
}

/** Writes `text` to the server of `base` as it is; resolves with all it answered. */
function rawExchange(base: string, text: string): Promise<string> {
  const { hostname, port } = new URL(base)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let answer = ''
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')))
    socket.on('end', () => resolve(answer))
    socket.on('error', reject)
    socket.write(text)
  })
}

const metricValue = (text: string, name: string, upstream: string) =>
  Number(
    new RegExp(`^${name}\\{[^}]*upstream="${upstream}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ??
      NaN,
  )

describe('upstream circuit breakers', () => {
  it('passes 500s through, counts them as bugs, and keeps serving everyone else', async () => {
    const g = await gateway()
    // An attacker's burst: twenty at once, each making the catalog answer 500.
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        call(`${g.url}/api/v1/products/problem`, { headers: from('203.0.113.66') }),
      ),
    )
    for (const answer of burst) {
      expect(answer.status).toBe(500)
      expect(answer.json()).toMatchObject({ code: 'INTERNAL' })
    }
    // A 500 that is not a problem document is replaced (nothing leaks), and counted the same.
    const leaky = await Promise.all(
      Array.from({ length: 5 }, () =>
        call(`${g.url}/api/v1/products/boom`, { headers: from('203.0.113.66') }),
      ),
    )
    for (const answer of leaky) {
      expect(answer.status).toBe(502)
      expect(answer.text).not.toContain('SELECT')
    }
    // Another shopper, right after: served, not refused with 503.
    const other = await call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.20') })
    expect(other.status).toBe(200)
    expect(other.json()).toMatchObject({ upstream: 'catalog', url: '/products/p1' })

    const metrics = (await call(`${g.managementUrl}/metrics`)).text
    expect(metricValue(metrics, 'gateway_upstream_bugs_total', 'catalog')).toBe(25)
    expect(metricValue(metrics, 'gateway_upstream_breaker_state', 'catalog')).toBe(0)
    expect(metrics).toMatch(
      /gateway_upstream_instance_up\{[^}]*upstream="catalog"[^}]*\} 1/, // not ejected either
    )
  })

  it('forwards without the hop-by-hop headers a client sends, never holding them against the upstream', async () => {
    const g = await gateway()
    const hopByHop = [
      'keep-alive: timeout=5',
      'keep-alive: nonsense',
      'upgrade: websocket',
      'proxy-connection: keep-alive',
      'te: trailers',
      'expect: 100-continue',
    ]
    // Sent as written: HTTP clients refuse to send most of these themselves.
    for (const header of [...hopByHop, ...hopByHop]) {
      const seen = catalog.received.length
      const answer = await rawExchange(
        g.url,
        `GET /api/v1/products/p1 HTTP/1.1\r\nhost: shop\r\nconnection: close\r\n${header}\r\n\r\n`,
      )
      // (After `expect: 100-continue`, the gateway's server says 100 Continue first.)
      expect(answer, header).toMatch(/^(HTTP\/1\.1 100 Continue\r\n\r\n)?HTTP\/1\.1 200 /)
      expect(catalog.received).toHaveLength(seen + 1)
      expect(catalog.received.at(-1)!.headers[header.split(':')[0]!], header).toBeUndefined()
    }
    const metrics = (await call(`${g.managementUrl}/metrics`)).text
    expect(metricValue(metrics, 'gateway_upstream_breaker_state', 'catalog')).toBe(0)
  })

  it('opens on 503s at a ratio over the minimum of calls, answers 503 at once, then closes', async () => {
    const g = await gateway()
    for (let i = 0; i < 4; i++) {
      const answer = await call(`${g.url}/api/v1/products/unavailable`)
      expect(answer.status).toBe(503)
    }
    const seen = catalog.received.length
    const refused = await call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.21') })
    expect(refused.status).toBe(503)
    expect(refused.json()).toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' })
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0)
    expect(catalog.received.length).toBe(seen) // refused without asking the catalog
    expect(
      metricValue(
        (await call(`${g.managementUrl}/metrics`)).text,
        'gateway_upstream_breaker_state',
        'catalog',
      ),
    ).toBe(2)

    await delay(1_200) // open for 1 s; then a trial call goes through and closes it
    const back = await call(`${g.url}/api/v1/products/p1`)
    expect(back.status).toBe(200)
    expect(
      metricValue(
        (await call(`${g.managementUrl}/metrics`)).text,
        'gateway_upstream_breaker_state',
        'catalog',
      ),
    ).toBe(0)
  })

  it('opens on refused connections, and not before the minimum of calls', async () => {
    const g = await gateway(`http://127.0.0.1:${await closedPort()}`, 30_000)
    for (let i = 0; i < 3; i++) {
      const answer = await call(`${g.url}/api/v1/products/p1`)
      expect(answer.status).toBe(503)
      expect(answer.headers['retry-after']).toBe('1') // the instance's cool-down
    }
    const metrics = (await call(`${g.managementUrl}/metrics`)).text
    expect(metricValue(metrics, 'gateway_upstream_breaker_state', 'catalog')).toBe(0)
    await call(`${g.url}/api/v1/products/p1`) // the fourth: 4 of 4 failed
    const open = await call(`${g.url}/api/v1/products/p1`)
    expect(open.status).toBe(503)
    expect(Number(open.headers['retry-after'])).toBeGreaterThan(20) // the open circuit's time
    expect(
      metricValue(
        (await call(`${g.managementUrl}/metrics`)).text,
        'gateway_upstream_breaker_state',
        'catalog',
      ),
    ).toBe(2)
  })
})
