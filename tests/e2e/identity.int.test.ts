import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  createTestDatabase,
  reservePorts,
  testServers,
  type TestDatabase,
} from '@emporium/platform/testing'
import { generateKeyPair, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startProcess, waitForOk, type Started } from './process.js'
import { fetchRetryingShed } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const ports = await reservePorts(3)

// The identity part of API.md through the gateway, with the users service on real MariaDB and
// the gateway's limits in real Redis, each its own process as in the distributed mode.
describe('identity through the gateway (distributed: users on MariaDB, limits in Redis)', () => {
  const usersPort = ports.base
  const gatewayPort = ports.base + 1
  const managementPort = ports.base + 2 // the gateway's /readyz and /metrics
  const api = `http://127.0.0.1:${gatewayPort}/api/v1`
  const keyDir = mkdtempSync(join(tmpdir(), 'emporium-keys-'))
  const prefix = `e2e-${randomBytes(4).toString('hex')}:`
  let database: TestDatabase
  let users: Started
  let gateway: Started

  const startUsers = () =>
    startProcess('services/users/src/main.ts', {
      USERS_PORT: String(usersPort),
      USERS_HOST: '127.0.0.1',
      USERS_DATABASE_URL: database.url,
      USERS_SIGNING_KEY_FILE: join(keyDir, 'signing-key.json'),
      ADMIN_EMAILS: 'Boss@Example.com',
      RABBITMQ_URL: 'memory',
      LOG_LEVEL: 'warn',
    })

  beforeAll(async () => {
    database = await createTestDatabase('mysql')
    users = startUsers()
    await waitForOk(`http://127.0.0.1:${usersPort}/readyz`, users)
    gateway = startProcess('services/gateway/src/main.ts', {
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      GATEWAY_MANAGEMENT_PORT: String(managementPort),
      GATEWAY_MANAGEMENT_HOST: '127.0.0.1',
      GATEWAY_USERS_URLS: `http://127.0.0.1:${usersPort}`,
      REDIS_URL: testServers.redis,
      GATEWAY_REDIS_KEY_PREFIX: prefix,
      GATEWAY_TRUST_PROXY: 'true',
      GATEWAY_LOGIN_FAILURES_PER_ACCOUNT: '5',
      // The sixth failure makes the account refuse strangers for this long: the test's next try.
      GATEWAY_LOGIN_ACCOUNT_DELAY_SECONDS: '30',
      GATEWAY_LOGIN_LIMIT_PER_CLIENT: '8',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '4',
      GATEWAY_UPSTREAM_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'warn',
    })
    await waitForOk(`http://127.0.0.1:${managementPort}/readyz`, gateway)
  })

  afterAll(async () => {
    for (const p of [gateway, users]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL')
    await database?.drop()
    rmSync(keyDir, { recursive: true, force: true })
  })

  // Each test speaks from its own client address, so per-client limits do not mix.
  let clients = 0
  const client = () => `10.9.${Math.floor(++clients / 250)}.${clients % 250}`
  const call = (
    path: string,
    init: {
      method?: string
      body?: unknown
      token?: string
      from: string
      headers?: Record<string, string>
    },
  ) =>
    fetchRetryingShed(`${api}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        'x-forwarded-for': init.from,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
  const email = () => `shopper-${randomBytes(5).toString('hex')}@example.com`
  interface Session {
    user: { id: string; email: string; roles: string[] }
    accessToken: string
    refreshToken: string
    expiresIn: number
  }
  const register = async (address = email(), from = client()) => {
    const response = await call('/auth/register', {
      body: { email: address, password: 'correct horse battery', name: 'Ada' },
      from,
    })
    expect(response.status).toBe(201)
    return (await response.json()) as Session
  }

  it('registers (201 with user and tokens), with rate-limit headers and a request id', async () => {
    const from = client()
    const response = await call('/auth/register', {
      body: { email: 'Ada.Lovelace@Example.com', password: 'correct horse battery', name: 'Ada' },
      from,
    })
    expect(response.status).toBe(201)
    for (const h of ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'x-request-id'])
      expect(response.headers.get(h)).toBeTruthy()
    const body = (await response.json()) as Session
    expect(body.user).toMatchObject({
      email: 'ada.lovelace@example.com',
      name: 'Ada',
      roles: ['customer'],
    })
    expect(body.expiresIn).toBeGreaterThan(0)
    expect(JSON.stringify(body)).not.toMatch(/password|argon2/i)
    const claims = decodeJwt(body.accessToken)
    expect(claims).toMatchObject({
      sub: body.user.id,
      roles: ['customer'],
      iss: 'emporium-users',
      aud: 'emporium',
    })
    expect(claims.jti).toBeTruthy()
    expect(decodeProtectedHeader(body.accessToken).alg).not.toBe('none')

    const again = await call('/auth/register', {
      body: { email: 'ADA.LOVELACE@example.COM', password: 'another long password', name: 'Ada' },
      from: client(),
    })
    expect(again.status).toBe(409)
    expect(again.headers.get('content-type')).toMatch(/application\/problem\+json/)
  })

  it('refuses a weak password, a bad e-mail and a role in the body, writing nothing', async () => {
    const address = email()
    const weak = await call('/auth/register', {
      body: { email: address, password: 'short', name: 'A' },
      from: client(),
    })
    expect(weak.status).toBe(400)
    expect(((await weak.json()) as { errors?: unknown[] }).errors?.length).toBeGreaterThan(0)
    const bad = await call('/auth/register', {
      body: { email: 'not-an-email', password: 'long enough pw', name: 'A' },
      from: client(),
    })
    expect(bad.status).toBe(400)
    const sneaky = await call('/auth/register', {
      body: { email: address, password: 'long enough pw', name: 'A', roles: ['admin'] },
      from: client(),
    })
    expect(sneaky.status).toBe(400)
    const login = await call('/auth/login', {
      body: { email: address, password: 'long enough pw' },
      from: client(),
    })
    expect(login.status).toBe(401)
  })

  it('never makes an ADMIN_EMAILS address admin at registration: it must be verified first', async () => {
    const session = await register('BOSS@example.com')
    expect(session.user).toMatchObject({ roles: ['customer'], emailVerified: false })
  })

  it('answers a wrong e-mail and a wrong password with the same 401', async () => {
    const session = await register()
    const wrongPassword = await call('/auth/login', {
      body: { email: session.user.email, password: 'not the password' },
      from: client(),
    })
    const wrongEmail = await call('/auth/login', {
      body: { email: email(), password: 'not the password' },
      from: client(),
    })
    expect(wrongPassword.status).toBe(401)
    expect(wrongEmail.status).toBe(401)
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined })
    expect(strip((await wrongPassword.json()) as Record<string, unknown>)).toEqual(
      strip((await wrongEmail.json()) as Record<string, unknown>),
    )
    const ok = await call('/auth/login', {
      body: { email: session.user.email.toUpperCase(), password: 'correct horse battery' },
      from: client(),
    })
    expect(ok.status).toBe(200)
  })

  it('serves /users/me to its owner only, and never lets a body set roles or e-mail', async () => {
    const session = await register()
    const from = client()
    const me = await call('/users/me', { token: session.accessToken, from })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({
      id: session.user.id,
      email: session.user.email,
      roles: ['customer'],
    })
    const anonymous = await call('/users/me', { from })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/)
    const spoofed = await call('/users/me', {
      from,
      headers: { 'x-user-id': session.user.id, 'x-user-roles': 'admin' },
    })
    expect(spoofed.status).toBe(401)
    for (const body of [{ roles: ['admin'] }, { email: 'x@example.com' }, { id: 'other' }]) {
      const patch = await call('/users/me', {
        method: 'PATCH',
        body,
        token: session.accessToken,
        from,
      })
      expect(patch.status).toBe(400)
    }
    const renamed = await call('/users/me', {
      method: 'PATCH',
      body: { name: 'Ada L.' },
      token: session.accessToken,
      from,
    })
    expect(renamed.status).toBe(200)
    expect(await renamed.json()).toMatchObject({ name: 'Ada L.', roles: ['customer'] })
  })

  it('refuses forged tokens: alg none, tampered claims, another key, wrong audience, expired', async () => {
    const session = await register()
    const [header, payload, signature] = session.accessToken.split('.') as [string, string, string]
    const claims = decodeJwt(session.accessToken)
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`
    const tampered = `${header}.${b64({ ...claims, roles: ['customer', 'admin'] })}.${signature}`
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' })
    const kid = decodeProtectedHeader(session.accessToken).kid
    const sign = (extra: Record<string, unknown>, exp: string | number = '5m') =>
      new SignJWT({ roles: ['admin'], ...extra })
        .setProtectedHeader({ alg: 'EdDSA', ...(kid ? { kid } : {}) })
        .setSubject(session.user.id)
        .setIssuer('emporium-users')
        .setAudience('emporium')
        .setIssuedAt()
        .setExpirationTime(exp)
        .sign(privateKey)
    const otherKey = await sign({})
    const wrongAudience = await new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setAudience('elsewhere')
      .setExpirationTime('5m')
      .sign(privateKey)
    const expired = await sign({}, Math.floor(Date.now() / 1000) - 3600)
    for (const token of [none, tampered, otherKey, wrongAudience, expired, 'garbage']) {
      const response = await call('/users/me', { token, from: client() })
      expect(response.status, token).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/)
    }
  })

  it('refuses an admin route to a customer with 403', async () => {
    const session = await register()
    const response = await call('/products', {
      body: { name: 'x' },
      token: session.accessToken,
      from: client(),
    })
    expect(response.status).toBe(403)
  })

  it('rotates refresh tokens; reusing a spent one revokes the whole family; logout revokes', async () => {
    const session = await register()
    const from = client()
    const first = await call('/auth/refresh', {
      body: { refreshToken: session.refreshToken },
      from,
    })
    expect(first.status).toBe(200)
    const rotated = (await first.json()) as Session
    expect(rotated.refreshToken).not.toBe(session.refreshToken)
    const reuse = await call('/auth/refresh', {
      body: { refreshToken: session.refreshToken },
      from,
    })
    expect(reuse.status).toBe(401)
    const afterReuse = await call('/auth/refresh', {
      body: { refreshToken: rotated.refreshToken },
      from,
    })
    expect(afterReuse.status).toBe(401)

    const other = await register()
    const logout = await call('/auth/logout', {
      body: { refreshToken: other.refreshToken },
      token: other.accessToken,
      from,
    })
    expect(logout.status).toBe(204)
    const afterLogout = await call('/auth/refresh', {
      body: { refreshToken: other.refreshToken },
      from,
    })
    expect(afterLogout.status).toBe(401)
  })

  it('slows an account down after failed logins from many clients, not its own device', async () => {
    const session = await register()
    const home = client()
    const signedIn = await call('/auth/login', {
      body: { email: session.user.email, password: 'correct horse battery' },
      from: home,
    })
    expect(signedIn.status).toBe(200)
    const device = signedIn.headers.getSetCookie()[0]!.split(';')[0]!
    expect(device).toMatch(/^emporium_device=/)
    const statuses: number[] = []
    for (let i = 0; i < 7; i++) {
      const response = await call('/auth/login', {
        body: { email: session.user.email, password: `wrong ${i}` },
        from: client(),
      })
      statuses.push(response.status)
      if (response.status === 429)
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 429])
    // The owner's device, where they signed in before, is not slowed down.
    const own = await call('/auth/login', {
      body: { email: session.user.email, password: 'correct horse battery' },
      from: home,
      headers: { cookie: device },
    })
    expect(own.status).toBe(200)
  })

  it('limits login attempts and registrations per client', async () => {
    const from = client()
    const logins: number[] = []
    for (let i = 0; i < 10; i++) {
      logins.push(
        (await call('/auth/login', { body: { email: email(), password: 'whatever pw' }, from }))
          .status,
      )
    }
    expect(logins).toContain(429)
    const flood = client()
    const registrations: number[] = []
    for (let i = 0; i < 6; i++) {
      registrations.push(
        (
          await call('/auth/register', {
            body: { email: email(), password: 'correct horse battery', name: 'F' },
            from: flood,
          })
        ).status,
      )
    }
    expect(registrations.slice(0, 4)).toEqual([201, 201, 201, 201])
    expect(registrations.at(-1)).toBe(429)
  })

  it('keeps verifying tokens while the users service is down, and answers 503 problems, not hangs', async () => {
    const session = await register()
    users.child.kill('SIGKILL')
    await users.exited
    const started = Date.now()
    const me = await call('/users/me', { token: session.accessToken, from: client() })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(me.status).toBe(503) // the token was good; only the upstream is missing
    expect(me.headers.get('content-type')).toMatch(/application\/problem\+json/)
    expect(me.headers.get('retry-after')).toBeTruthy()
    const forged = await call('/users/me', {
      token: `${session.accessToken.slice(0, -4)}AAAA`,
      from: client(),
    })
    expect(forged.status).toBe(401)
    users = startUsers()
    await waitForOk(`http://127.0.0.1:${usersPort}/readyz`, users)
  })
})
