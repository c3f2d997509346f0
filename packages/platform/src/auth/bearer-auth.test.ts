import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { pino } from 'pino'
import { beforeAll, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { createHttpServer, type HttpServer } from '../http/server.js'
import { bearerAuth, bearerToken, identityOf } from './bearer-auth.js'
import { createLocalJwtVerifier } from './jwt-verifier.js'

let sign: (roles: string[]) => Promise<string>
let app: HttpServer

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }
  sign = (roles) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject('user-7')
      .setJti('t-1')
      .setIssuer('emporium-users')
      .setAudience('emporium')
      .setExpirationTime('5m')
      .sign(privateKey)
  const verifier = createLocalJwtVerifier([jwk], { issuer: 'emporium-users', audience: 'emporium' })
  const auth = bearerAuth(verifier)
  app = createHttpServer({
    service: 'auth-test',
    log: pino({ level: 'silent' }),
    registry: createMetricsRegistry('auth-test', { processMetrics: false }),
    routes: async (routes) => {
      routes.get('/me', { preHandler: auth.authenticate }, async (request) => ({
        userId: identityOf(request)?.userId,
      }))
      routes.post('/admin', { preHandler: auth.requireRole('admin') }, async () => ({ ok: true }))
      routes.post(
        '/refunds',
        { preHandler: auth.requirePermission('refunds.write') },
        async () => ({
          ok: true,
        }),
      )
      routes.get('/account', { preHandler: auth.requireAccount }, async () => ({ ok: true }))
      await routes.register(async (staff) => {
        staff.addHook('onRoute', auth.enforcePermissions)
        staff.post(
          '/rates',
          {
            config: { permission: 'pricing.write' },
            schema: { body: { type: 'object', required: ['rate'] } },
          },
          async () => ({ ok: true }),
        )
      })
    },
  })
})

describe('bearerAuth', () => {
  it('lets a valid token through and exposes the identity', async () => {
    const token = await sign(['customer'])
    const response = await app.inject({ url: '/me', headers: { authorization: `Bearer ${token}` } })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ userId: 'user-7' })
  })

  it('answers 401 problems with www-authenticate: Bearer', async () => {
    const cases = [{}, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: 'Bearer x.y.z' }]
    for (const headers of cases) {
      const response = await app.inject({ url: '/me', headers: { ...headers, 'x-user-id': 'u1' } })
      expect(response.statusCode).toBe(401)
      expect(response.headers['content-type']).toContain('application/problem+json')
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="emporium"/)
    }
    const invalid = await app.inject({ url: '/me', headers: { authorization: 'Bearer x.y.z' } })
    expect(invalid.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(invalid.json()).toMatchObject({ status: 401, code: 'AUTH.INVALID_TOKEN' })
  })

  it('answers 403 to a caller without the role', async () => {
    const customer = await sign(['customer'])
    const denied = await app.inject({
      method: 'POST',
      url: '/admin',
      headers: { authorization: `Bearer ${customer}` },
    })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'AUTH.FORBIDDEN' })
    const admin = await sign(['customer', 'admin'])
    const allowed = await app.inject({
      method: 'POST',
      url: '/admin',
      headers: { authorization: `Bearer ${admin}` },
    })
    expect(allowed.statusCode).toBe(200)
  })

  it('answers 403 to a caller whose roles lack the permission, and lets the roles that give it in', async () => {
    const call = async (roles: string[]) =>
      app.inject({
        method: 'POST',
        url: '/refunds',
        headers: { authorization: `Bearer ${await sign(roles)}` },
      })
    for (const roles of [
      ['customer'],
      ['customer', 'catalog_manager'],
      ['fulfilment'],
      ['guest'],
    ]) {
      const denied = await call(roles)
      expect(denied.statusCode, roles.join()).toBe(403)
      expect(denied.json()).toMatchObject({
        code: 'AUTH.FORBIDDEN',
        detail: 'This needs the refunds.write permission.',
      })
    }
    for (const roles of [['customer', 'support'], ['owner'], ['customer', 'admin']]) {
      expect((await call(roles)).statusCode, roles.join()).toBe(200)
    }
    expect((await app.inject({ method: 'POST', url: '/refunds' })).statusCode).toBe(401)
  })

  it("answers 403 AUTH.GUEST_NOT_ALLOWED to a guest's token on a route for accounts", async () => {
    const guest = await sign(['guest'])
    const denied = await app.inject({
      url: '/account',
      headers: { authorization: `Bearer ${guest}` },
    })
    expect(denied.statusCode).toBe(403)
    expect(denied.json()).toMatchObject({ code: 'AUTH.GUEST_NOT_ALLOWED' })
    // A guest is authenticated all the same where any caller may come.
    const me = await app.inject({ url: '/me', headers: { authorization: `Bearer ${guest}` } })
    expect(me.statusCode).toBe(200)
    const customer = await sign(['customer'])
    const allowed = await app.inject({
      url: '/account',
      headers: { authorization: `Bearer ${customer}` },
    })
    expect(allowed.statusCode).toBe(200)
    const anonymous = await app.inject({ url: '/account' })
    expect(anonymous.statusCode).toBe(401)
  })

  it('parses only well-formed bearer headers', () => {
    expect(bearerToken('Bearer abc.def.ghi')).toBe('abc.def.ghi')
    expect(bearerToken('bearer abc')).toBe('abc')
    expect(bearerToken('Bearer')).toBeUndefined()
    expect(bearerToken('Bearer a b')).toBeUndefined()
    expect(bearerToken(['Bearer a'])).toBeUndefined()
    expect(bearerToken(undefined)).toBeUndefined()
  })
})

describe('bearerAuth.enforcePermissions', () => {
  it("checks a route's config.permission before its body is validated", async () => {
    const call = async (roles: string[] | undefined, body: unknown) =>
      app.inject({
        method: 'POST',
        url: '/rates',
        headers: roles ? { authorization: `Bearer ${await sign(roles)}` } : {},
        payload: body as object,
      })
    expect((await call(undefined, {})).statusCode).toBe(401)
    const refused = await call(['customer', 'fulfilment'], {})
    expect(refused.statusCode).toBe(403)
    expect(refused.json()).toMatchObject({ code: 'AUTH.FORBIDDEN' })
    expect((await call(['catalog_manager'], {})).statusCode).toBe(400)
    expect((await call(['catalog_manager'], { rate: 1 })).statusCode).toBe(200)
    expect((await call(['admin'], { rate: 1 })).statusCode).toBe(200)
  })
})
