import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { GatewayConfigInput } from '../src/config.js'
import { closedPort, startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { call, from, startGateway, type Answer, type TestGateway } from './gateway-harness.js'

let users: FakeUsers
const started: TestGateway[] = []

beforeAll(async () => {
  users = await startFakeUsers()
})

afterAll(async () => {
  await Promise.all(started.map((g) => g.stop()))
  await users?.stop()
})

/** Small limits, so that a test reaches them quickly; the per-address limit out of the way. */
const limits: GatewayConfigInput = {
  GATEWAY_LOGIN_LIMIT_PER_CLIENT: 1_000,
  GATEWAY_LOGIN_FAILURES_PER_ACCOUNT_CLIENT: 3,
  GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: 4,
  GATEWAY_LOGIN_ACCOUNT_DELAY_SECONDS: 2,
  GATEWAY_LOGIN_ACCOUNT_DELAY_MAX_SECONDS: 60,
}

const login = (
  g: TestGateway,
  address: string,
  email: string,
  password = 'wrong-password',
  cookie?: string,
) =>
  call(`${g.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: {
      ...from(address),
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify({ email, password }),
  })

/** The device cookie a successful login set, as a `cookie` header would send it back. */
function deviceCookieOf(answer: Answer): string {
  const header = answer.headers['set-cookie']
  const value = (Array.isArray(header) ? header.join('\n') : (header ?? '')).split(';')[0]!
  expect(value).toMatch(/^emporium_device=[\w-]{22}\.\d+\.[\w-]{22}$/)
  return value
}

function expectRefused(answer: Answer): number {
  expect(answer.status, answer.text).toBe(429)
  expect(answer.headers['content-type']).toContain('application/problem+json')
  expect(answer.json()).toMatchObject({ status: 429, code: 'RATE_LIMIT.EXCEEDED' })
  expect(answer.headers['ratelimit-remaining']).toBe('0')
  const retryAfter = Number(answer.headers['retry-after'])
  expect(retryAfter).toBeGreaterThan(0)
  return retryAfter
}

const upstreamLogins = (email: string) =>
  users.logins.filter((l) => l.email.trim().toLowerCase() === email).length

// Each run speaks from addresses of its own, so the two stores' runs do not mix.
let hosts = 0
const address = () => `198.18.${Math.floor(++hosts / 250)}.${hosts % 250}`

describe.each([
  { store: 'memory', replicas: 1 },
  { store: 'Redis', replicas: 2 },
])('login limits ($store store)', ({ store, replicas }) => {
  /** The gateways a client's requests alternate between (two replicas sharing Redis). */
  let gateways: TestGateway[]
  let turn = 0
  const next = () => gateways[turn++ % gateways.length]!

  beforeAll(async () => {
    const config: GatewayConfigInput = {
      ...limits,
      GATEWAY_USERS_URLS: users.url,
      ...(store === 'memory'
        ? { REDIS_URL: 'memory' }
        : {
            GATEWAY_REDIS_KEY_PREFIX: `gateway-test:${randomUUID()}:`,
            // Replicas honour each other's device tokens when they share the keys.
            GATEWAY_DEVICE_TOKEN_KEYS: `new-key-${'n'.repeat(32)}, old-key-${'o'.repeat(32)}`,
          }),
    }
    gateways = []
    for (let i = 0; i < replicas; i++) gateways.push(await startGateway(config))
    started.push(...gateways)
  })

  it("refuses a stranger's client after a few failures, never the owner's other client", async () => {
    const owner = `owner-${randomUUID()}@example.com`
    const [stranger, ownClient] = [address(), address()]
    for (let i = 0; i < 3; i++) expect((await login(next(), stranger, owner)).status).toBe(401)
    // The stranger's client is refused, even with the right password; the users service is
    // not asked.
    expectRefused(await login(next(), stranger, owner))
    expectRefused(await login(next(), stranger, ` ${owner.toUpperCase()}`, 'right-password'))
    expect(upstreamLogins(owner)).toBe(3)
    // The owner, from a client that has not failed, signs in; again and again, as successes
    // do not count.
    for (let i = 0; i < 5; i++) {
      const answer = await login(next(), ownClient, owner, 'right-password')
      expect(answer.status, answer.text).toBe(200)
      expect(String(answer.headers['set-cookie'])).toMatch(
        /^emporium_device=[^;]+; Path=\/api\/v1\/auth\/login; Max-Age=7776000; HttpOnly; SameSite=Strict$/,
      )
    }
    // The stranger's client may still try other accounts (the per-address limit is the bound).
    const other = `other-${randomUUID()}@example.com`
    expect((await login(next(), stranger, other)).status).toBe(401)
  })

  it('slows an account down with growing delays when failures come from many addresses, except for devices where the owner signed in', async () => {
    const owner = `owner-${randomUUID()}@example.com`
    const home = address()
    const signedIn = await login(next(), home, owner, 'right-password')
    expect(signedIn.status).toBe(200)
    const device = deviceCookieOf(signedIn)

    // A botnet: one guess per address. Four cost nothing; the fifth delays the account by 2 s.
    for (let i = 0; i < 5; i++) expect((await login(next(), address(), owner)).status).toBe(401)
    const delays = [expectRefused(await login(next(), address(), owner))]
    // Fresh clients without the account's device token wait too, the right password or not:
    // any of them may be the botnet.
    expectRefused(await login(next(), address(), owner, 'right-password'))
    expectRefused(await login(next(), home, owner, 'right-password', `${device}x`))
    // The owner's device is not slowed down, whatever address it now has, and is renewed.
    const own = await login(next(), address(), owner, 'right-password', device)
    expect(own.status, own.text).toBe(200)
    expect(deviceCookieOf(own).split('.')[0]).toBe(device.split('.')[0])
    // Nor are its own typing errors delayed (the device has a failure limit of its own).
    expect((await login(next(), home, owner, 'typo-password', device)).status).toBe(401)
    expect((await login(next(), home, owner, 'right-password', device)).status).toBe(200)

    // Each further failure doubles the delay: 2 s, 4 s, 8 s.
    for (let round = 0; round < 2; round++) {
      await sleep(delays.at(-1)! * 1000 + 200)
      expect((await login(next(), address(), owner)).status).toBe(401)
      delays.push(expectRefused(await login(next(), address(), owner)))
    }
    // (A second may have passed before a refusal was measured.)
    expect(delays[0]).toBeGreaterThanOrEqual(1)
    expect(delays[1]).toBeGreaterThanOrEqual(3)
    expect(delays[2]).toBeGreaterThanOrEqual(7)
    // Refused attempts never reached the users service: 5 + 2 guesses and the owner's typo.
    expect(upstreamLogins(owner)).toBe(1 + 5 + 1 + 1 + 1 + 2)
  })

  it('does not honour a device token of another account', async () => {
    const [alice, bob] = [`alice-${randomUUID()}@example.com`, `bob-${randomUUID()}@example.com`]
    const aliceDevice = deviceCookieOf(await login(next(), address(), alice, 'right-password'))
    for (let i = 0; i < 5; i++) expect((await login(next(), address(), bob)).status).toBe(401)
    expectRefused(await login(next(), address(), bob, 'right-password', aliceDevice))
  })
})

it('keeps both login limits per instance while Redis is unreachable', async () => {
  const g = await startGateway({
    ...limits,
    GATEWAY_USERS_URLS: users.url,
    REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
  })
  started.push(g)
  const owner = `owner-${randomUUID()}@example.com`
  const stranger = address()
  for (let i = 0; i < 3; i++) expect((await login(g, stranger, owner)).status).toBe(401)
  expectRefused(await login(g, stranger, owner))
  expect((await login(g, address(), owner, 'right-password')).status).toBe(200)
  for (let i = 0; i < 2; i++) expect((await login(g, address(), owner)).status).toBe(401)
  expectRefused(await login(g, address(), owner))
})
