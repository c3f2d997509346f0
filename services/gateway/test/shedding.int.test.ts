import { createLogger, createMetricsRegistry, createHttpServer } from '@emporium/platform'
import { afterEach, describe, expect, it } from 'vitest'
import { call, from, startGateway, type TestGateway } from './gateway-harness.js'

// An upstream that sheds a burst (admission control: 503 HTTP.OVERLOADED, retry-after,
// x-emporium-shed) is alive: its answers reach the client unchanged, and neither the breaker nor
// the instance rotation holds them against it, or shedding would open the circuit for everyone.

const log = createLogger({ service: 'shedding-test', level: 'silent' })
const closers: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

/** A catalog built as every service is, whose product route admits one request at a time. */
async function sheddingCatalog() {
  const release: Array<() => void> = []
  let started = 0
  const server = createHttpServer({
    service: 'catalog',
    log,
    registry: createMetricsRegistry('catalog'),
    routes: async (app) => {
      const admission = { concurrency: 1, queue: 0, maxWaitMs: 10, retryAfterSeconds: 1 }
      app.get('/products/:id', { config: { admission } }, async () => {
        started++
        await new Promise<void>((resolve) => release.push(resolve))
        return { id: 'p1' }
      })
    },
  })
  const url = await server.listen({ port: 0, host: '127.0.0.1' })
  closers.push(async () => {
    for (const r of release.splice(0)) r()
    await server.close()
  })
  return { url, release, started: () => started }
}

async function gateway(catalogUrls: string): Promise<TestGateway> {
  const started = await startGateway({
    GATEWAY_CATALOG_URLS: catalogUrls,
    // Strict: four calls in the window with over half failing would open it.
    GATEWAY_BREAKER_MIN_CALLS: 4,
    GATEWAY_BREAKER_FAILURE_RATIO: 0.5,
    GATEWAY_BREAKER_HALF_OPEN_MS: 30_000,
    GATEWAY_UPSTREAM_TIMEOUT_MS: 10_000,
  })
  closers.push(() => started.stop())
  return started
}

/**
 * `call` sent again while it is shed: an instance frees its turn once its answer is sent, which
 * the client may read a moment before, so a call sent at once may still find the turn taken.
 * Counts the sheds it met.
 */
async function callOnceFree(url: string, init: Parameters<typeof call>[1], sheds = { count: 0 }) {
  for (let attempt = 0; ; attempt++) {
    const answer = await call(url, init)
    if (answer.status !== 503 || attempt === 100) return answer
    sheds.count++
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const metricValue = (text: string, name: string, upstream: string) =>
  Number(
    new RegExp(`^${name}\\{[^}]*upstream="${upstream}"[^}]*\\} (\\S+)$`, 'm').exec(text)?.[1] ??
      NaN,
  )

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10))
  expect(check()).toBe(true)
}

describe('an upstream that sheds load', () => {
  it('passes its 503 and retry-after on unchanged and never opens the circuit or rests the instance', async () => {
    const catalog = await sheddingCatalog()
    const g = await gateway(catalog.url)
    const held = call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.30') })
    await until(() => catalog.started() === 1)
    const shed = await Promise.all(
      Array.from({ length: 10 }, () =>
        call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.31') }),
      ),
    )
    for (const answer of shed) {
      expect(answer.status).toBe(503)
      expect(answer.headers['retry-after']).toBe('1')
      expect(answer.headers['x-emporium-shed']).toBe('admission')
      expect(answer.json()).toMatchObject({ code: 'HTTP.OVERLOADED', status: 503 })
    }
    catalog.release.shift()!()
    expect((await held).status).toBe(200)

    // Closed and in the rotation: the next call is served (an open circuit would refuse it).
    const late = { count: 0 }
    const next = callOnceFree(
      `${g.url}/api/v1/products/p1`,
      { headers: from('198.51.100.32') },
      late,
    )
    await until(() => catalog.started() === 2)
    catalog.release.shift()!()
    expect((await next).status).toBe(200)
    const metrics = (await call(`${g.managementUrl}/metrics`)).text
    expect(metricValue(metrics, 'gateway_upstream_breaker_state', 'catalog')).toBe(0)
    expect(metricValue(metrics, 'gateway_upstream_shed_total', 'catalog')).toBe(10 + late.count)
    expect(metrics).toMatch(/gateway_upstream_instance_up\{[^}]*upstream="catalog"[^}]*\} 1/)
  })

  it('gives a request one instance shed (it never started) to a sibling', async () => {
    const busy = await sheddingCatalog()
    const free = await sheddingCatalog()
    const g = await gateway(`${busy.url},${free.url}`)
    // Hold both instances' turns, then free one: whichever instance a call meets first, a shed
    // there goes on to the other.
    const first = call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.33') })
    const second = call(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.33') })
    await until(() => busy.started() === 1 && free.started() === 1)
    free.release.shift()!()
    await Promise.race([first, second])
    const third = callOnceFree(`${g.url}/api/v1/products/p1`, { headers: from('198.51.100.34') })
    await until(() => free.started() === 2)
    free.release.shift()!()
    expect((await third).status).toBe(200)
    busy.release.shift()!()
    expect([(await first).status, (await second).status]).toEqual([200, 200])
    expect(busy.started()).toBe(1)
  })
})

/**
 * The fake users service and an orders service whose placements wait until the test releases
 * them (`release`), counting those received and those finished.
 */
async function heldPlacements() {
  const { startFakeUsers } = await import('./fake-upstreams.js')
  const users = await startFakeUsers()
  closers.push(() => users.stop())
  const counts = { received: 0, finished: 0 }
  const release: Array<() => void> = []
  const orders = createHttpServer({
    service: 'orders',
    log,
    registry: createMetricsRegistry('orders'),
    routes: async (app) => {
      app.post('/orders', async (_request, reply) => {
        counts.received++
        await new Promise<void>((resolve) => release.push(resolve))
        counts.finished++
        return reply.code(202).send({ id: 'o1', status: 'pending' })
      })
      app.get('/orders/:id', async () => ({ id: 'o1', status: 'pending' }))
    },
  })
  const ordersUrl = await orders.listen({ port: 0, host: '127.0.0.1' })
  closers.push(async () => {
    for (const r of release.splice(0)) r()
    await orders.close()
  })
  return { users, release, ordersUrl, counts }
}

describe('a placement past the gateway’s deadline', () => {
  it('is answered 503 HTTP.TIMEOUT with retry-after in time while orders goes on, the late answer dropped', async () => {
    const { users, release, ordersUrl, counts } = await heldPlacements()
    const g = await startGateway({
      GATEWAY_USERS_URLS: users.url,
      GATEWAY_ORDERS_URLS: ordersUrl,
      GATEWAY_PLACEMENT_DEADLINE_MS: 300,
      GATEWAY_UPSTREAM_TIMEOUT_MS: 10_000,
      GATEWAY_BREAKER_MIN_CALLS: 4,
      GATEWAY_BREAKER_HALF_OPEN_MS: 30_000,
    })
    closers.push(() => g.stop())
    const token = await users.token()
    const place = () =>
      call(`${g.url}/api/v1/orders`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': 'k-1',
          ...from('198.51.100.40'),
        },
        body: JSON.stringify({}),
      })
    const answers = await Promise.all(Array.from({ length: 6 }, place))
    for (const answer of answers) {
      expect(answer.status).toBe(503)
      expect(answer.json()).toMatchObject({ code: 'HTTP.TIMEOUT', status: 503 })
      expect(Number(answer.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(answer.headers['x-emporium-shed']).toBe('deadline')
      // The deadline, not the upstream's 10 s timeout (a wide margin for a busy machine).
      expect(answer.ms).toBeLessThan(5_000)
    }
    // Orders got every placement and finishes them; the late answers go nowhere.
    await until(() => release.length === 6)
    for (const r of release.splice(0)) r()
    await until(() => counts.finished === 6)
    // Not an outage: the circuit stays closed, orders is still asked.
    const after = await call(`${g.url}/api/v1/orders/o1`, {
      headers: { authorization: `Bearer ${token}`, ...from('198.51.100.41') },
    })
    expect(after.status).toBe(200)
  })
})

describe('placements past the gateway’s concurrency limit', () => {
  it('are answered 503 HTTP.OVERLOADED with retry-after on arrival, before the token check, and orders never hears of them', async () => {
    const { users, release, ordersUrl, counts } = await heldPlacements()
    const g = await startGateway({
      GATEWAY_USERS_URLS: users.url,
      GATEWAY_ORDERS_URLS: ordersUrl,
      GATEWAY_PLACEMENT_CONCURRENCY: 2,
      GATEWAY_PLACEMENT_DEADLINE_MS: 60_000,
      GATEWAY_CORS_ORIGINS: 'https://partner.example',
      GATEWAY_UPSTREAM_TIMEOUT_MS: 60_000,
    })
    closers.push(() => g.stop())
    const token = await users.token()
    const place = (authorization: string, key: string) =>
      call(`${g.url}/api/v1/orders`, {
        method: 'POST',
        headers: {
          authorization,
          'content-type': 'application/json',
          'idempotency-key': key,
          origin: 'https://partner.example',
          ...from('198.51.100.50'),
        },
        body: JSON.stringify({}),
      })
    const running = [place(`Bearer ${token}`, 'k-1'), place(`Bearer ${token}`, 'k-2')]
    await until(() => release.length === 2)
    // Both turns held: the next is shed at once, even with a token that would be refused 401,
    // for nothing of it ran.
    for (const authorization of [`Bearer ${token}`, 'Bearer not-a-token']) {
      const shed = await place(authorization, 'k-3')
      expect(shed.status).toBe(503)
      expect(shed.json()).toMatchObject({ code: 'HTTP.OVERLOADED', status: 503 })
      expect(Number(shed.headers['retry-after'])).toBeGreaterThanOrEqual(1)
      expect(shed.headers['x-emporium-shed']).toBe('admission')
      // Shed after CORS and the security headers: a partner's web app reads the wait.
      expect(shed.headers['access-control-allow-origin']).toBe('https://partner.example')
      expect(shed.headers['x-content-type-options']).toBe('nosniff')
    }
    expect(counts.received).toBe(2)
    // A turn is freed once its answer is sent, which its client may read a moment before: a
    // placement sent at once may still be shed, and is sent again (as the storefront does).
    const placeOnceFree = async (authorization: string, key: string) => {
      for (let attempt = 0; ; attempt++) {
        const answer = await place(authorization, key)
        if (answer.status !== 503 || attempt === 100) return answer
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    }
    // A turn freed (whichever of the two orders heard first), placements go through again (and
    // a bad token is refused as ever).
    release.shift()!()
    expect((await Promise.race(running)).status).toBe(202)
    const next = placeOnceFree(`Bearer ${token}`, 'k-4')
    await until(() => release.length === 2)
    expect((await place('Bearer not-a-token', 'k-5')).status).toBe(503)
    for (const r of release.splice(0)) r()
    expect((await Promise.all([...running, next])).map((r) => r.status)).toEqual([202, 202, 202])
    expect((await placeOnceFree('Bearer not-a-token', 'k-6')).status).toBe(401)
    expect(counts.received).toBe(3)
  })
})
