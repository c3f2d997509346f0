import { createHash } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { Agent, request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  closedPort,
  startEchoUpstream,
  startFakeUsers,
  type Echo,
  type FakeUsers,
} from './fake-upstreams.js'
import { bearer, call, startGateway, type TestGateway } from './gateway-harness.js'

type Echoer = Awaited<ReturnType<typeof startEchoUpstream>>
let users: FakeUsers
let catalog: Echoer
let catalogTwin: Echoer
let notifications: Echoer
let cart: Echoer
let gateway: TestGateway
let token: string
let deadPort: number

beforeAll(async () => {
  ;[users, catalog, catalogTwin, notifications, cart] = await Promise.all([
    startFakeUsers(),
    startEchoUpstream({
      name: 'catalog-a',
      document: {
        openapi: '3.1.0',
        info: { title: 'catalog', version: '1' },
        paths: {
          '/products/{id}': {
            get: { summary: 'One product', responses: { '200': { description: 'OK' } } },
          },
          '/internal/stock': { post: { responses: { '200': { description: 'OK' } } } },
        },
      },
    }),
    startEchoUpstream({ name: 'catalog-b' }),
    startEchoUpstream({ name: 'notifications' }),
    startEchoUpstream({ name: 'cart' }),
  ])
  deadPort = await closedPort()
  gateway = await startGateway({
    GATEWAY_USERS_URLS: users.url,
    GATEWAY_CATALOG_URLS: `${catalog.url},${catalogTwin.url}`,
    GATEWAY_CART_URLS: cart.url,
    GATEWAY_NOTIFICATIONS_URLS: notifications.url,
    GATEWAY_ORDERS_URLS: `http://127.0.0.1:${deadPort}`,
    GATEWAY_PAYMENTS_URLS: `http://127.0.0.1:${await closedPort()}`,
    GATEWAY_UPSTREAM_TIMEOUT_MS: 300,
    GATEWAY_BREAKER_MIN_CALLS: 5,
    GATEWAY_BREAKER_HALF_OPEN_MS: 60_000,
    GATEWAY_CORS_ORIGINS: 'https://shop.example',
    GATEWAY_UPLOAD_LIMIT_BYTES: 2 * 1024 * 1024,
  })
  token = await users.token()
})

afterAll(async () => {
  await gateway?.stop()
  await Promise.all([users, catalog, catalogTwin, notifications, cart].map((s) => s?.stop()))
})

describe('proxying', () => {
  it('streams an event stream through as it comes (first event before the upstream ends)', async () => {
    const response = await request(`${gateway.url}/api/v1/orders/o1/events`, {
      headers: bearer(token),
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toBe('text/event-stream')
    let text = ''
    let sawFirstWhileOpen = false
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString()
      if (!sawFirstWhileOpen && /^data: /m.test(text)) {
        // The upstream holds the rest until released: the first event was not buffered.
        sawFirstWhileOpen = !notifications.eventsEnded()
        notifications.releaseEvents()
      }
    }
    expect(sawFirstWhileOpen).toBe(true)
    expect(text.match(/^data: /gm)).toHaveLength(5)
    expect(notifications.received.at(-1)?.url).toBe('/orders/o1/events')
  })

  it('balances over instances and leaves a stopped one out', async () => {
    const served = new Set<string>()
    for (let i = 0; i < 4; i++) {
      served.add(
        (await call(`${gateway.url}/api/v1/categories`)).json<{ upstream: string }>().upstream,
      )
    }
    expect(served).toEqual(new Set(['catalog-a', 'catalog-b']))
    await catalogTwin.stop()
    try {
      for (let i = 0; i < 6; i++) {
        const answer = await call(`${gateway.url}/api/v1/categories`)
        expect(answer.status).toBe(200)
        expect(answer.json<{ upstream: string }>().upstream).toBe('catalog-a')
      }
    } finally {
      await catalogTwin.start()
    }
    await delay(1_100) // the cool-down
    const back = new Set<string>()
    for (let i = 0; i < 4; i++) {
      back.add(
        (await call(`${gateway.url}/api/v1/categories`)).json<{ upstream: string }>().upstream,
      )
    }
    expect(back).toEqual(new Set(['catalog-a', 'catalog-b']))
  })

  it('streams request bodies intact, and refuses bodies over 1 MiB with 413', async () => {
    const body = Buffer.alloc(900 * 1024, 'x')
    const ok = await call(`${gateway.url}/api/v1/cart/items`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body,
    })
    expect(ok.status).toBe(200)
    expect(ok.json<Echo>().bodySha256).toBe(createHash('sha256').update(body).digest('hex'))

    const big = Buffer.alloc(1024 * 1024 + 1, 'x')
    const declared = await call(`${gateway.url}/api/v1/cart/items`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/json' },
      body: big,
    })
    expect(declared.status).toBe(413)
    expect(declared.json()).toMatchObject({ code: 'HTTP.PAYLOAD_TOO_LARGE' })
    expect(declared.headers['ratelimit-remaining']).toBeDefined()

    async function* chunks() {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(64 * 1024, 'y')
    }
    const chunked = await call(`${gateway.url}/api/v1/cart/items`, {
      method: 'POST',
      headers: { ...bearer(token), 'content-type': 'application/octet-stream' },
      body: chunks(),
    })
    expect(chunked.status).toBe(413)
  })

  it("takes an upload's larger body on its route only, and refuses more with 413", async () => {
    const admin = bearer(await users.token({ sub: 'admin-1', roles: ['customer', 'admin'] }))
    const upload = (body: Buffer | AsyncIterable<Buffer>, path = '/api/v1/products/p1/media') =>
      call(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { ...admin, 'content-type': 'image/png' },
        body,
      })
    // Over the general 1 MiB, within the 2 MiB upload limit this gateway was given.
    const picture = Buffer.alloc(1536 * 1024, 'p')
    const ok = await upload(picture)
    expect(ok.status).toBe(200)
    expect(ok.json<Echo>()).toMatchObject({ url: '/products/p1/media', bodyLength: picture.length })
    expect(ok.json<Echo>().bodySha256).toBe(createHash('sha256').update(picture).digest('hex'))

    // The same body anywhere else is over the general limit.
    expect((await upload(picture, '/api/v1/products/p1')).status).toBe(413)
    expect((await upload(picture, '/api/v1/products/p1/media/order')).status).toBe(413)

    const declared = await upload(Buffer.alloc(2 * 1024 * 1024 + 1, 'p'))
    expect(declared.status).toBe(413)
    expect(declared.json()).toMatchObject({ code: 'HTTP.PAYLOAD_TOO_LARGE' })
    async function* chunks() {
      for (let i = 0; i < 40; i++) yield Buffer.alloc(64 * 1024, 'q')
    }
    expect((await upload(chunks())).status).toBe(413)
  })

  it('drops a GET body, and answers HEAD', async () => {
    const get = await call(`${gateway.url}/api/v1/categories`, {
      headers: { 'content-type': 'application/json' },
      body: '{"ignored": true}',
    })
    expect(get.status).toBe(200)
    expect(get.json<Echo>()).toMatchObject({ method: 'GET', bodyLength: 0 })
    const head = await call(`${gateway.url}/api/v1/categories`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.text).toBe('')
  })

  it('answers 503 with retry-after, quickly, for a stopped upstream; then the breaker opens', async () => {
    for (let i = 0; i < 5; i++) {
      const answer = await call(`${gateway.url}/api/v1/orders`, { headers: bearer(token) })
      expect(answer.status).toBe(503)
      expect(answer.headers['content-type']).toContain('application/problem+json')
      expect(answer.json()).toMatchObject({ code: 'UPSTREAM.UNAVAILABLE' })
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
      expect(answer.ms).toBeLessThan(1_000)
    }
    const open = await call(`${gateway.url}/api/v1/orders`, { headers: bearer(token) })
    expect(open.status).toBe(503)
    expect(Number(open.headers['retry-after'])).toBeGreaterThan(30) // the open circuit's time
    const metrics = await call(`${gateway.managementUrl}/metrics`)
    expect(metrics.text).toMatch(/gateway_upstream_breaker_state\{[^}]*upstream="orders"[^}]*\} 2/)
  })

  it('answers 504 when the upstream does not answer in time', async () => {
    const answer = await call(`${gateway.url}/api/v1/products/slow`)
    expect(answer.status).toBe(504)
    expect(answer.json()).toMatchObject({ code: 'UPSTREAM.TIMEOUT' })
    expect(answer.ms).toBeLessThan(1_500)
  })

  it('replaces 5xx answers that are not problem documents; passes problem documents', async () => {
    const boom = await call(`${gateway.url}/api/v1/products/boom`)
    expect(boom.status).toBe(502)
    expect(boom.headers['content-type']).toContain('application/problem+json')
    expect(boom.text).not.toMatch(/SELECT|srv/)
    expect(boom.headers['x-debug-sql']).toBeUndefined()
    const unavailable = await call(`${gateway.url}/api/v1/products/unavailable`)
    expect(unavailable.status).toBe(503)
    expect(unavailable.text).not.toContain('nginx')
    const internal = await call(`${gateway.url}/api/v1/products/problem`)
    expect(internal.status).toBe(500)
    expect(internal.json()).toMatchObject({ code: 'INTERNAL' })
    const missing = await call(`${gateway.url}/api/v1/products/missing`)
    expect(missing.status).toBe(404)
    expect(missing.json()).toMatchObject({ code: 'CATALOG.NOT_FOUND' })
  })

  it('answers 502 when the upstream connection ends in the middle of a body', async () => {
    const cut = await call(`${gateway.url}/api/v1/products/cut`)
    expect(cut.status).toBe(502)
    expect(cut.headers['content-type']).toContain('application/problem+json')
    expect(cut.text).not.toContain('partial')
    // The gateway goes on answering.
    expect((await call(`${gateway.url}/api/v1/categories`)).status).toBe(200)
  })

  it('closes the upstream request when the client goes away', async () => {
    const agent = new Agent()
    const controller = new AbortController()
    const response = await request(`${gateway.url}/api/v1/orders/o2/events`, {
      headers: bearer(token),
      dispatcher: agent,
      signal: controller.signal,
    })
    expect(response.statusCode).toBe(200)
    controller.abort()
    await agent.close().catch(() => undefined)
    const after = await call(`${gateway.url}/api/v1/categories`)
    expect(after.status).toBe(200)
  })
})

describe('edge hygiene', () => {
  it('sets security headers; HSTS only for clients that came over TLS', async () => {
    const plain = await call(`${gateway.url}/api/v1/categories`)
    expect(plain.headers['x-content-type-options']).toBe('nosniff')
    expect(plain.headers['referrer-policy']).toBeDefined()
    expect(plain.headers['content-security-policy']).toContain("default-src 'none'")
    expect(plain.headers['strict-transport-security']).toBeUndefined()
    // Errors of the edge and of upstreams carry them too.
    for (const failed of [
      await call(`${gateway.url}/api/v1/no-such-route`),
      await call(`${gateway.url}/api/v1/cart`),
      await call(`${gateway.url}/api/v1/products/boom`),
    ]) {
      expect(failed.status).toBeGreaterThanOrEqual(400)
      expect(failed.headers['x-content-type-options']).toBe('nosniff')
      expect(failed.headers['content-security-policy']).toContain("default-src 'none'")
    }
    const tls = await call(`${gateway.url}/api/v1/categories`, {
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(tls.headers['strict-transport-security']).toContain('max-age=')
  })

  it("gives the API's answers the headers that mean something for them, pages all of helmet's", async () => {
    const forAnswers = {
      'content-security-policy': expect.stringContaining("frame-ancestors 'none'"),
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
    }
    const forPages = ['x-dns-prefetch-control', 'origin-agent-cluster', 'x-download-options']
    for (const answer of [
      await call(`${gateway.url}/api/v1/categories`),
      await call(`${gateway.url}/api/v1/categories`), // from the read cache
      await call(`${gateway.url}/api/v1/no-such-route`),
    ]) {
      expect(answer.headers).toMatchObject(forAnswers)
      for (const name of [...forPages, 'x-xss-protection', 'x-permitted-cross-domain-policies']) {
        expect(answer.headers[name], name).toBeUndefined()
      }
    }
    // The gateway's own pages (here its index, without a storefront build) keep the whole set.
    const page = await call(`${gateway.url}/`)
    expect(page.headers).toMatchObject(forAnswers)
    for (const name of forPages) expect(page.headers[name], name).toBeDefined()
  })

  it('answers CORS preflights for configured origins only', async () => {
    const preflight = (origin: string) =>
      call(`${gateway.url}/api/v1/cart/items`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      })
    const allowed = await preflight('https://shop.example')
    expect(allowed.status).toBe(204)
    expect(allowed.headers['access-control-allow-origin']).toBe('https://shop.example')
    const other = await preflight('https://evil.example')
    expect(other.headers['access-control-allow-origin']).toBeUndefined()
    const simple = await call(`${gateway.url}/api/v1/categories`, {
      headers: { origin: 'https://shop.example' },
    })
    expect(simple.headers['access-control-expose-headers']).toContain('ratelimit-remaining')
  })

  it('keeps GET / and serves the OpenAPI document and its reference page', async () => {
    const root = await call(`${gateway.url}/`)
    expect(root.json()).toMatchObject({ name: 'Emporium', api: '/api/v1' })
    const document = await call(`${gateway.url}/api/v1/openapi.json`)
    expect(document.status).toBe(200)
    expect(document.json()).toMatchObject({ openapi: '3.1.0', info: { title: expect.any(String) } })
    // Merged from the catalog's own document (the twin, without one, is skipped): public only.
    expect(Object.keys(document.json<{ paths: object }>().paths)).toEqual(['/api/v1/products/{id}'])
    // Swagger UI, which loads that document in the browser (api-docs.int.test.ts).
    const page = await call(`${gateway.url}/api/v1/docs`)
    expect(page.status).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
    expect(page.text).toContain('swagger-ui-bundle.js')
  })

  it('exposes metrics by upstream and route', async () => {
    const metrics = await call(`${gateway.managementUrl}/metrics`)
    expect(metrics.text).toMatch(
      /gateway_upstream_requests_total\{[^}]*upstream="catalog"[^}]*route="\/api\/v1\/categories\/\*\*"/,
    )
    expect(metrics.text).toContain('gateway_upstream_duration_seconds_bucket')
  })
})
