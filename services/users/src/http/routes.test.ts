import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { pino } from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import type { users } from '@emporium/contracts'
import {
  createHttpServer,
  createLocalJwtVerifier,
  createMemoryRevocationList,
  createMetricsRegistry,
  withRevocations,
  type HttpServer,
} from '@emporium/platform'
import type { Caller } from '../app/ports.js'
import { usersRoutes, type UsersRoutesDeps } from './routes.js'

const rules = { issuer: 'emporium-users', audience: 'emporium' }
const unused = async (): Promise<never> => {
  throw new Error('not called by this test')
}

let app: HttpServer
let sign: (claims: { sid: string; exp?: number }) => Promise<string>
let signGuest: () => Promise<string>
const revocations = createMemoryRevocationList()
// What the use cases were called with: the caller the routes passed on.
const calls: Array<{ route: string; caller?: Caller }> = []

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }
  sign = ({ sid, exp }) =>
    new SignJWT({ roles: ['customer'], sid })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
      .setSubject('u-1')
      .setJti(`t-${sid}`)
      .setIssuer(rules.issuer)
      .setAudience(rules.audience)
      .setIssuedAt()
      .setExpirationTime(exp ?? '5m')
      .sign(privateKey)
  signGuest = () =>
    new SignJWT({ roles: ['guest'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
      .setSubject('guest_0b0e5a52-7f52-4d0c-9a43-3c4f6f3f3c11')
      .setJti('t-guest')
      .setIssuer(rules.issuer)
      .setAudience(rules.audience)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey)
  const deps: UsersRoutesDeps = {
    register: unused,
    issueGuestToken: async () => ({ cartToken: 'a.guest.token', expiresIn: 2_592_000 }),
    login: unused,
    refreshSession: unused,
    logout: unused,
    updateMe: unused,
    resendVerification: unused,
    changePassword: unused,
    setAdmin: unused,
    requestPasswordReset: unused,
    resetPassword: unused,
    addresses: { list: unused, add: unused, update: unused, remove: unused },
    async getMe(caller) {
      calls.push({ route: 'me', caller })
      return {
        id: caller.userId,
        email: 'ada@example.com',
        name: 'Ada',
        roles: ['customer'],
        emailVerified: true,
        createdAt: '2030-01-01T00:00:00.000Z',
      } satisfies users.Me
    },
    async verifyEmail(_token, caller) {
      calls.push({ route: 'verify-email', caller })
    },
    verifier: withRevocations(createLocalJwtVerifier([jwk], rules), revocations),
    jwks: () => ({ keys: [] }),
  }
  app = createHttpServer({
    service: 'users',
    log: pino({ level: 'silent' }),
    registry: createMetricsRegistry('users-routes-test', { processMetrics: false }),
    routes: usersRoutes(deps),
  })
})

async function me(authorization?: string) {
  return app.inject({
    method: 'GET',
    url: '/users/me',
    headers: authorization === undefined ? {} : { authorization },
  })
}

function verifyEmail(authorization?: string) {
  return app.inject({
    method: 'POST',
    url: '/auth/verify-email',
    headers: authorization === undefined ? {} : { authorization },
    payload: { token: 'a.b.c' },
  })
}

describe('users routes: bearer authentication (the platform hook, as every service)', () => {
  it('passes the verified caller on to the use case', async () => {
    const response = await me(`Bearer ${await sign({ sid: 's-ok' })}`)
    expect(response.statusCode).toBe(200)
    expect(calls.at(-1)).toMatchObject({
      route: 'me',
      caller: { userId: 'u-1', sessionId: 's-ok' },
    })
  })

  it('no token: 401 AUTH.MISSING_TOKEN with a plain challenge', async () => {
    for (const header of [undefined, 'Basic dXNlcjpwYXNz']) {
      const response = await me(header)
      expect(response.statusCode).toBe(401)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.json()).toMatchObject({ status: 401, code: 'AUTH.MISSING_TOKEN' })
      expect(response.headers['www-authenticate']).toBe('Bearer realm="emporium"')
    }
  })

  it('a garbage, expired or revoked token: 401 with its AUTH code and error="invalid_token"', async () => {
    const expired = await sign({ sid: 's-old', exp: Math.floor(Date.now() / 1000) - 60 })
    const revoked = await sign({ sid: 's-revoked' })
    await revocations.add([
      { kind: 'session', sessionId: 's-revoked', until: new Date(Date.now() + 600_000) },
    ])
    const cases = [
      ['garbage.token.here', 'AUTH.INVALID_TOKEN'],
      [expired, 'AUTH.TOKEN_EXPIRED'],
      [revoked, 'AUTH.TOKEN_REVOKED'],
    ] as const
    for (const [token, code] of cases) {
      for (const response of [await me(`Bearer ${token}`), await verifyEmail(`Bearer ${token}`)]) {
        expect({ code, status: response.statusCode }).toEqual({ code, status: 401 })
        expect(response.json()).toMatchObject({ code })
        expect(response.headers['www-authenticate']).toMatch(
          /^Bearer realm="emporium", error="invalid_token"/,
        )
      }
    }
  })

  it('verify-email: no header is an anonymous caller; a valid bearer is passed on', async () => {
    const anonymous = await verifyEmail()
    expect(anonymous.statusCode).toBe(204)
    expect(calls.at(-1)).toEqual({ route: 'verify-email', caller: undefined })
    const signedIn = await verifyEmail(`Bearer ${await sign({ sid: 's-ok' })}`)
    expect(signedIn.statusCode).toBe(204)
    expect(calls.at(-1)).toMatchObject({ route: 'verify-email', caller: { userId: 'u-1' } })
    // A header that is there is checked, even one that names no bearer token.
    const basic = await verifyEmail('Basic dXNlcjpwYXNz')
    expect(basic.statusCode).toBe(401)
    expect(basic.json()).toMatchObject({ code: 'AUTH.MISSING_TOKEN' })
  })
})

describe('users routes: guests', () => {
  it('POST /auth/guest answers 201 with a cart token, to anyone', async () => {
    const response = await app.inject({ method: 'POST', url: '/auth/guest' })
    expect(response.statusCode).toBe(201)
    expect(response.json()).toEqual({ cartToken: 'a.guest.token', expiresIn: 2_592_000 })
  })

  it("refuses a guest's token on the account routes: 403 AUTH.GUEST_NOT_ALLOWED, nothing called", async () => {
    const guest = `Bearer ${await signGuest()}`
    const before = calls.length
    const routes = [
      ['GET', '/users/me', undefined],
      ['PATCH', '/users/me', { name: 'Guest' }],
      ['GET', '/users/me/addresses', undefined],
      ['POST', '/users/me/password', { currentPassword: 'x', newPassword: 'y' }],
      ['POST', '/auth/logout', { refreshToken: 'r' }],
      ['POST', '/auth/verify-email/resend', undefined],
      ['POST', '/auth/verify-email', { token: 'a.b.c' }],
    ] as const
    for (const [method, url, payload] of routes) {
      const response = await app.inject({
        method,
        url,
        headers: { authorization: guest },
        ...(payload ? { payload } : {}),
      })
      expect({ url, status: response.statusCode }).toEqual({ url, status: 403 })
      expect(response.json()).toMatchObject({ code: 'AUTH.GUEST_NOT_ALLOWED' })
    }
    expect(calls.length).toBe(before)
  })
})
