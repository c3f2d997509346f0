import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, startFakeUsers, type Echo, type FakeUsers } from './fake-upstreams.js'
import {
  bearer,
  call,
  rawCall,
  startGateway,
  type Answer,
  type TestGateway,
} from './gateway-harness.js'

let users: FakeUsers
let services: Awaited<ReturnType<typeof startEchoUpstream>>
let gateway: TestGateway
let customer: string
let admin: string

beforeAll(async () => {
  users = await startFakeUsers()
  services = await startEchoUpstream()
  gateway = await startGateway({
    GATEWAY_USERS_URLS: users.url,
    GATEWAY_CATALOG_URLS: services.url,
    GATEWAY_CART_URLS: services.url,
    GATEWAY_ORDERS_URLS: services.url,
  })
  customer = await users.token()
  admin = await users.token({ sub: 'admin-1', roles: ['customer', 'admin'] })
})

afterAll(async () => {
  await gateway?.stop()
  await Promise.all([users?.stop(), services?.stop()])
})

function expectProblem(answer: Answer, status: number, code?: string) {
  expect(answer.status, answer.text).toBe(status)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  const body = answer.json()
  expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) })
  expect(body.detail).toEqual(expect.any(String))
  if (code) expect(body.code).toBe(code)
}

function expectRateLimitHeaders(answer: Answer) {
  expect(Number(answer.headers['ratelimit-limit'])).toBeGreaterThan(0)
  expect(Number(answer.headers['ratelimit-remaining'])).toBeGreaterThanOrEqual(0)
  expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(0)
}

describe('edge authentication', () => {
  it('forwards a valid token unchanged, with request id, trace context and forwarded-for', async () => {
    const answer = await call(`${gateway.url}/api/v1/cart`, {
      headers: { ...bearer(customer), 'x-request-id': 'req-123', 'x-forwarded-for': '203.0.113.9' },
    })
    expect(answer.status).toBe(200)
    const echo = answer.json<Echo>()
    expect(echo.url).toBe('/cart')
    expect(echo.headers.authorization).toBe(`Bearer ${customer}`)
    expect(echo.headers['x-request-id']).toBe('req-123')
    expect(echo.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    expect(echo.headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1')
    expect(echo.headers['x-forwarded-proto']).toBe('http')
    expect(answer.headers['x-request-id']).toBe('req-123')
  })

  it('rejects forged tokens with 401 problems and www-authenticate: Bearer', async () => {
    const valid = await users.token()
    const [header, payload, signature] = valid.split('.') as [string, string, string]
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object
    const forged: Record<string, string> = {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, roles: ['admin'] })}.`,
      'tampered claims': `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`,
      'wrong key': await users.foreignToken(),
      expired: await users.token({}, { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      'wrong audience': await users.token({ aud: 'another-app' }),
      'wrong issuer': await users.token({ iss: 'evil-issuer' }),
      garbage: 'not.a.token',
    }
    const before = services.received.length
    for (const [name, token] of Object.entries(forged)) {
      const answer = await call(`${gateway.url}/api/v1/cart`, { headers: bearer(token) })
      expectProblem(answer, 401)
      expect(answer.headers['www-authenticate'], name).toMatch(/^Bearer /)
      expect(answer.json().code, name).toBe(
        name === 'expired' ? 'AUTH.TOKEN_EXPIRED' : 'AUTH.INVALID_TOKEN',
      )
      expectRateLimitHeaders(answer)
    }
    expect(services.received.length).toBe(before) // none reached the upstream
  })

  it('answers 401 without a token, even with a spoofed x-user-id', async () => {
    const answer = await call(`${gateway.url}/api/v1/orders`, {
      headers: { 'x-user-id': 'admin-1', 'x-user-roles': 'admin' },
    })
    expectProblem(answer, 401, 'AUTH.MISSING_TOKEN')
    expect(answer.headers['www-authenticate']).toBe('Bearer realm="emporium"')
  })

  it('strips identity headers a client sends, on public and protected routes', async () => {
    const spoofed = {
      'x-user-id': 'admin-1',
      'x-user-roles': 'admin',
      'x-user-email': 'boss@example.com',
      'x-identity-token': 'forged',
      'x-authenticated-userid': 'admin-1',
    }
    for (const [url, headers] of [
      ['/api/v1/products', spoofed],
      ['/api/v1/cart', { ...spoofed, ...bearer(customer) }],
    ] as const) {
      const echo = (await call(`${gateway.url}${url}`, { headers })).json<Echo>()
      for (const name of Object.keys(spoofed)) expect(echo.headers[name], name).toBeUndefined()
    }
  })

  it('answers 403 to a customer on an admin route, and forwards an admin', async () => {
    const routes = [
      ['POST', '/api/v1/products'],
      ['PATCH', '/api/v1/products/p1'],
      ['DELETE', '/api/v1/products/p1'],
      ['PUT', '/api/v1/products/p1/stock'],
      ['POST', '/api/v1/orders/o1/ship'],
      // Other spellings of the same route are the same route.
      ['POST', '/api/v1/orders/o1/%73hip'],
      ['POST', '/api/v1/orders//o1/ship/'],
    ]
    for (const [method, url] of routes) {
      const denied = await call(`${gateway.url}${url}`, {
        method,
        headers: { ...bearer(customer), 'content-type': 'application/json' },
        body: '{}',
      })
      expectProblem(denied, 403, 'AUTH.FORBIDDEN')
      expectRateLimitHeaders(denied)
    }
    const shipped = await call(`${gateway.url}/api/v1/orders/o1/ship`, {
      method: 'POST',
      headers: bearer(admin),
    })
    expect(shipped.status).toBe(200)
    expect(shipped.json<Echo>().url).toBe('/orders/o1/ship')
  })

  it('serves public routes without a token, and 404s unknown ones', async () => {
    const products = await call(`${gateway.url}/api/v1/products?q=lamp&limit=5`)
    expect(products.status).toBe(200)
    expect(products.json<Echo>().url).toBe('/products?q=lamp&limit=5')
    expectRateLimitHeaders(products)
    const jwks = await call(`${gateway.url}/.well-known/jwks.json`)
    expect(jwks.json<{ keys: unknown[] }>().keys).toHaveLength(1)
    for (const url of ['/api/v1/nope', '/api/v1', '/api/v1/auth/admin-backdoor']) {
      const unknown = await call(`${gateway.url}${url}`)
      expectProblem(unknown, 404, 'HTTP.NOT_FOUND')
      expectRateLimitHeaders(unknown)
    }
    for (const path of ['/api/v1/products/a/../../users/me', '/api/v1/products/%2e%2e/x']) {
      expectProblem(await rawCall(gateway.url, path), 400, 'HTTP.BAD_PATH')
    }
    // Undecodable: fastify refuses it before routing.
    expectProblem(await call(`${gateway.url}/api/v1/products/%E0%A4%A`), 400)
  })

  it("finds a path's rule per method, the same each time (the edge keeps the rules it found)", async () => {
    for (let round = 0; round < 2; round++) {
      expect((await call(`${gateway.url}/api/v1/products`)).status).toBe(200)
      // The same path written to: a staff route, whatever a read of it was answered before.
      expectProblem(await call(`${gateway.url}/api/v1/products`, { method: 'POST' }), 401)
      const created = await call(`${gateway.url}/api/v1/products`, {
        method: 'POST',
        headers: bearer(customer),
      })
      expectProblem(created, 403)
      // A path that is not valid is refused every time, never kept.
      expectProblem(await rawCall(gateway.url, '/api/v1/products/%2e%2e/x'), 400, 'HTTP.BAD_PATH')
    }
  })

  it('answers 503, not 401, for a protected route when its upstream is not configured', async () => {
    const answer = await call(`${gateway.url}/api/v1/payments`, { headers: bearer(customer) })
    expectProblem(answer, 503, 'UPSTREAM.UNAVAILABLE')
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('keeps verifying tokens while the users service is down', async () => {
    const fresh = await users.token({ sub: 'user-2' })
    await users.stop()
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await call(`${gateway.url}/api/v1/cart`, { headers: bearer(fresh) })
        expect(answer.status).toBe(200)
      }
      const forged = await call(`${gateway.url}/api/v1/cart`, {
        headers: bearer(await users.foreignToken()),
      })
      expectProblem(forged, 401, 'AUTH.INVALID_TOKEN')
      // A users route itself is a 503 problem, quickly.
      const me = await call(`${gateway.url}/api/v1/users/me`, { headers: bearer(fresh) })
      expectProblem(me, 503, 'UPSTREAM.UNAVAILABLE')
      expect(me.ms).toBeLessThan(1_000)
    } finally {
      await users.start()
    }
  })
})
