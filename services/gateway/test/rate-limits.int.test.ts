import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closedPort, startEchoUpstream, startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { call, from, startGateway, type Answer, type TestGateway } from './gateway-harness.js'

let users: FakeUsers
let catalog: Awaited<ReturnType<typeof startEchoUpstream>>
const gateways: TestGateway[] = []

beforeAll(async () => {
  ;[users, catalog] = await Promise.all([startFakeUsers(), startEchoUpstream()])
})

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()))
  await Promise.all([users?.stop(), catalog?.stop()])
})

async function gateway(config: Parameters<typeof startGateway>[0]) {
  const started = await startGateway({
    GATEWAY_USERS_URLS: users.url,
    GATEWAY_CATALOG_URLS: catalog.url,
    ...config,
  })
  gateways.push(started)
  return started
}

function expectLimited(answer: Answer, limit: number) {
  expect(answer.status, answer.text).toBe(429)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  expect(answer.json()).toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED' })
  expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0)
  expect(answer.headers['ratelimit-limit']).toBe(String(limit))
  expect(answer.headers['ratelimit-remaining']).toBe('0')
  expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThan(0)
}

const login = (g: TestGateway, address: string, email: string, password = 'wrong-password') =>
  call(`${g.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { ...from(address), 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  })

describe('rate limits', () => {
  it('holds one limit across two instances deciding locally, within the documented bound', async () => {
    // 6 a minute: a token back every 10 s, far more than the test takes even on a busy machine.
    const limit = 6
    const shared = {
      GATEWAY_REDIS_KEY_PREFIX: `gateway-test:${randomUUID()}:`,
      GATEWAY_RATE_LIMIT_PER_MINUTE: limit,
      GATEWAY_RATE_LIMIT_SYNC_MS: 50,
    }
    const [a, b] = [await gateway(shared), await gateway(shared)]
    // docs/security.md: B = max(1, ceil(limit × sync / 60 s)) per instance, R × B in all.
    const bound = 2 * Math.max(1, Math.ceil((limit * 50) / 60_000))
    const client = from('198.51.100.17')
    const started = Date.now()
    const answers: Answer[] = []
    // Rounds of concurrent requests through both instances, as a client hammering them would.
    for (let round = 0; round < 5; round++) {
      const burst = Array.from({ length: 8 }, (_, i) =>
        call(`${(i % 2 === 0 ? a : b).url}/api/v1/categories`, { headers: client }),
      )
      answers.push(...(await Promise.all(burst)))
    }
    // The bucket refills one request per 60 s / limit while the test runs.
    const refilled = Math.floor((Date.now() - started) / (60_000 / limit))
    const admitted = answers.filter((r) => r.status === 200).length
    expect(admitted).toBeGreaterThanOrEqual(limit)
    expect(admitted).toBeLessThanOrEqual(limit + refilled + bound)
    // Were the instances limiting alone, each would admit the limit: twice as many.
    expect(limit + refilled + bound).toBeLessThan(2 * limit)
    for (const refused of answers.filter((r) => r.status !== 200)) expectLimited(refused, limit)
    // Each instance refused its share: even answers came from a, odd ones from b.
    for (const parity of [0, 1]) {
      const own = answers.filter((_, i) => i % 2 === parity)
      expect(own.filter((r) => r.status === 429).length).toBeGreaterThan(0)
    }
    // Once settled, each instance refuses the client, whichever it asks.
    for (const g of [a, b]) {
      const refused = await call(`${g.url}/api/v1/categories`, { headers: client })
      expectLimited(refused, limit)
    }
    // Another client has a quota of its own.
    expect(
      (await call(`${a.url}/api/v1/categories`, { headers: from('198.51.100.18') })).status,
    ).toBe(200)
  })

  it('holds one exact limit across two instances when each request asks Redis (sync 0)', async () => {
    const shared = {
      GATEWAY_REDIS_KEY_PREFIX: `gateway-test:${randomUUID()}:`,
      GATEWAY_RATE_LIMIT_PER_MINUTE: 6,
      GATEWAY_RATE_LIMIT_SYNC_MS: 0,
    }
    const [a, b] = [await gateway(shared), await gateway(shared)]
    const answers: Answer[] = []
    for (let i = 0; i < 14; i++) {
      const target = i % 2 === 0 ? a : b
      answers.push(await call(`${target.url}/api/v1/categories`, { headers: from('198.51.100.7') }))
    }
    expect(answers.filter((r) => r.status === 200)).toHaveLength(6)
    expect(answers.slice(0, 6).map((r) => r.headers['ratelimit-remaining'])).toEqual([
      '5',
      '4',
      '3',
      '2',
      '1',
      '0',
    ])
    for (const refused of answers.slice(6)) expectLimited(refused, 6)
    // Another client has a quota of its own.
    expect(
      (await call(`${b.url}/api/v1/categories`, { headers: from('198.51.100.8') })).status,
    ).toBe(200)
  })

  it('limits logins per client address, with the login limit in the headers', async () => {
    const g = await gateway({
      GATEWAY_LOGIN_LIMIT_PER_CLIENT: 4,
      GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: 50,
    })
    const remaining: string[] = []
    for (let i = 0; i < 4; i++) {
      const answer = await login(g, '192.0.2.44', `user${i}-${randomUUID()}@example.com`)
      expect(answer.status).toBe(401)
      remaining.push(String(answer.headers['ratelimit-remaining']))
    }
    expect(remaining).toEqual(['3', '2', '1', '0'])
    expectLimited(
      await login(g, '192.0.2.44', `new-${randomUUID()}@example.com`, 'right-password'),
      4,
    )
    expect((await login(g, '192.0.2.45', `new-${randomUUID()}@example.com`)).status).toBe(401)
    // Only the login route is this strict.
    expect((await call(`${g.url}/api/v1/categories`, { headers: from('192.0.2.44') })).status).toBe(
      200,
    )
  })

  it('limits registrations per client address, forwarding each body intact', async () => {
    const g = await gateway({ GATEWAY_REGISTER_LIMIT_PER_CLIENT: 3 })
    const before = users.registrations
    const register = (address: string) =>
      call(`${g.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { ...from(address), 'content-type': 'application/json' },
        body: JSON.stringify({
          email: `${randomUUID()}@example.com`,
          password: 'long-enough-1',
          name: 'A',
        }),
      })
    for (let i = 0; i < 3; i++) expect((await register('192.0.2.80')).status).toBe(201)
    expectLimited(await register('192.0.2.80'), 3)
    expect((await register('192.0.2.81')).status).toBe(201)
    expect(users.registrations - before).toBe(4)
  })

  it('limits password changes per account too, wherever they come from', async () => {
    const g = await gateway({ GATEWAY_REGISTER_LIMIT_PER_CLIENT: 3 })
    const token = await users.token({ sub: `user-${randomUUID()}` })
    const change = (address: string) =>
      call(`${g.url}/api/v1/users/me/password`, {
        method: 'POST',
        headers: {
          ...from(address),
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ currentPassword: 'a-guess', newPassword: 'long-enough-1' }),
      })
    // Guesses at the current password from a new address each: the account's quota still ends.
    for (let i = 0; i < 3; i++) expect((await change(`192.0.2.${90 + i}`)).status).toBe(200)
    expectLimited(await change('192.0.2.99'), 3)
  })

  it('limits password reset requests per client and per account (the e-mail, any case)', async () => {
    const g = await gateway({
      GATEWAY_PASSWORD_RESET_LIMIT_PER_CLIENT: 4,
      GATEWAY_PASSWORD_RESET_LIMIT_PER_ACCOUNT: 2,
    })
    const reset = (address: string, email: string) =>
      call(`${g.url}/api/v1/auth/password-reset`, {
        method: 'POST',
        headers: { ...from(address), 'content-type': 'application/json' },
        body: JSON.stringify({ email }),
      })
    // One address asked for from a new client each time: the account's quota still ends.
    const email = `victim-${randomUUID()}@example.com`
    expect((await reset('192.0.2.120', email)).status).toBe(200)
    expect((await reset('192.0.2.121', email.toUpperCase())).status).toBe(200)
    expectLimited(await reset('192.0.2.122', email), 2)
    // One client asking for many addresses: the client's quota ends.
    for (let i = 0; i < 3; i++) {
      expect((await reset('192.0.2.130', `${randomUUID()}@example.com`)).status).toBe(200)
    }
    const confirm = await call(`${g.url}/api/v1/auth/password-reset/confirm`, {
      method: 'POST',
      headers: { ...from('192.0.2.130'), 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'abc', password: 'long-enough-1' }),
    })
    expect(confirm.status).toBe(200)
    expectLimited(await reset('192.0.2.130', `${randomUUID()}@example.com`), 4)
  })

  it('keeps serving with per-instance limits while Redis is unreachable, and says so', async () => {
    const g = await gateway({
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      GATEWAY_RATE_LIMIT_PER_MINUTE: 4,
    })
    const answers: Answer[] = []
    for (let i = 0; i < 5; i++)
      answers.push(await call(`${g.url}/api/v1/categories`, { headers: from('198.51.100.99') }))
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([200, 200, 200, 200])
    for (const answer of answers) expect(answer.ms).toBeLessThan(500)
    expectLimited(answers[4]!, 4)
    const ready = await call(`${g.managementUrl}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.json<{ checks: Record<string, string> }>().checks.redis).toMatch(
      /^degraded: per-instance/,
    )
    const metrics = await call(`${g.managementUrl}/metrics`)
    expect(metrics.text).toMatch(/gateway_rate_limit_degraded\{[^}]*\} 1/)
  })

  it('reports Redis as ok in /readyz when it is reachable', async () => {
    const g = await gateway({})
    const ready = await call(`${g.managementUrl}/readyz`)
    expect(ready.status).toBe(200)
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } })
  })
})
