import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT, importJWK, type CryptoKey, type JWK } from 'jose'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttpServer, type HttpServer } from '../http/server.js'
import { createMetricsRegistry } from '../metrics.js'
import { generatePrivateJwk } from './key-ring.js'
import { requireServiceCaller, serviceCallerOf } from './service-caller.js'
import { createServiceCredentials, type ServiceCredentials } from './service-credentials.js'
import { createServiceTrust, parseTrustedCallers } from './service-trust.js'

let orders: ServiceCredentials
let cart: ServiceCredentials
let stranger: ServiceCredentials
let ordersKey: JWK
let app: HttpServer

function server(trust: ReturnType<typeof createServiceTrust>): HttpServer {
  const hook = requireServiceCaller({ audience: 'payments', trust, allowed: ['orders'] })
  return createHttpServer({
    service: 'service-auth-test',
    log: pino({ level: 'silent' }),
    registry: createMetricsRegistry('service-auth-test', { processMetrics: false }),
    routes: async (routes) => {
      routes.get('/internal/thing', { onRequest: hook }, async (request) => ({
        caller: serviceCallerOf(request)?.name,
      }))
    },
  })
}

const call = (target: HttpServer, header?: string) =>
  target.inject({
    url: '/internal/thing',
    headers: header === undefined ? {} : { 'x-service-authorization': header },
  })

beforeAll(async () => {
  ordersKey = await generatePrivateJwk()
  orders = createServiceCredentials({ caller: 'orders', keys: [ordersKey] })
  cart = createServiceCredentials({ caller: 'cart', keys: [await generatePrivateJwk()] })
  stranger = createServiceCredentials({ caller: 'orders', keys: [await generatePrivateJwk()] })
  const trust = createServiceTrust({
    orders: { keys: orders.publicJwks().keys },
    cart: { keys: cart.publicJwks().keys },
  })
  app = server(trust)
})

/** A token as the credentials sign them, with claims overridden. */
async function forge(
  claims: { iss?: string; sub?: string; aud?: string; iat?: number; exp?: number },
  typ = 'service+jwt',
  key: JWK = ordersKey,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const privateKey = (await importJWK(key, 'EdDSA')) as CryptoKey
  return new SignJWT({ roles: ['admin'] })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid!, typ })
    .setIssuer(claims.iss ?? 'service:orders')
    .setSubject(claims.sub ?? 'orders')
    .setAudience(claims.aud ?? 'service:payments')
    .setIssuedAt(claims.iat ?? now)
    .setExpirationTime(claims.exp ?? now + 60)
    .setJti('j-1')
    .sign(privateKey)
}

describe('service credentials', () => {
  it('admit an allowed caller and expose its name', async () => {
    const response = await call(app, await orders.authorization('payments'))
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ caller: 'orders' })
  })

  it('reuse one token per audience until it nears expiry, then sign a new one', async () => {
    let now = Date.now()
    const credentials = createServiceCredentials({
      caller: 'orders',
      keys: [ordersKey],
      now: () => now,
    })
    const first = await credentials.authorization('payments')
    expect(await credentials.authorization('payments')).toBe(first)
    expect(await credentials.authorization('catalog')).not.toBe(first)
    now += 31_000
    expect(await credentials.authorization('payments')).not.toBe(first)
  })

  it('publish only public key members', () => {
    const [key] = orders.publicJwks().keys
    expect(key).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: ordersKey.x,
      kid: ordersKey.kid,
      alg: 'EdDSA',
      use: 'sig',
    })
  })

  it('refuse bad names and keys', () => {
    expect(() => createServiceCredentials({ caller: 'Orders!', keys: [ordersKey] })).toThrow()
    const { d: _d, ...publicOnly } = ordersKey
    expect(() => createServiceCredentials({ caller: 'orders', keys: [publicOnly] })).toThrow(
      /private key/,
    )
  })
})

describe('requireServiceCaller', () => {
  it('answers 401 SERVICE_CREDENTIAL_REQUIRED without the header', async () => {
    const response = await call(app)
    expect(response.statusCode).toBe(401)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(response.json()).toMatchObject({ code: 'AUTH.SERVICE_CREDENTIAL_REQUIRED' })
  })

  it('answers 401 INVALID_SERVICE_CREDENTIAL to every bad credential', async () => {
    const now = Math.floor(Date.now() / 1000)
    const cases = {
      garbage: 'Bearer x.y.z',
      'not bearer': `Basic ${Buffer.from('a:b').toString('base64')}`,
      'other audience': await orders.authorization('catalog'),
      'unknown key': await stranger.authorization('payments'),
      expired: `Bearer ${await forge({ iat: now - 120, exp: now - 60 })}`,
      'too long-lived': `Bearer ${await forge({ exp: now + 3600 })}`,
      'user token type': `Bearer ${await forge({}, 'JWT')}`,
      'user issuer': `Bearer ${await forge({ iss: 'emporium-users', aud: 'emporium' })}`,
      'sub not the issuer': `Bearer ${await forge({ sub: 'cart' })}`,
      'cart claiming to be orders': `Bearer ${await forge({}, 'service+jwt', await generatePrivateJwk())}`,
    }
    for (const [name, header] of Object.entries(cases)) {
      const response = await call(app, header)
      expect(response.statusCode, name).toBe(401)
      expect(response.json().code, name).toBe('AUTH.INVALID_SERVICE_CREDENTIAL')
    }
  })

  it('answers 403 to a trusted caller that is not allowed', async () => {
    const response = await call(app, await cart.authorization('payments'))
    expect(response.statusCode).toBe(403)
    expect(response.json()).toMatchObject({ code: 'AUTH.SERVICE_CALLER_FORBIDDEN' })
  })
})

describe('trust by JWKS URL, and key rotation', () => {
  let jwksServer: Server
  let published: { keys: unknown[] } = { keys: [] }
  let url = ''

  beforeAll(async () => {
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json')
      response.end(JSON.stringify(published))
    })
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`
  })
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())))

  it('accepts the old and the new key during a rotation, then only the new one', async () => {
    const oldKey = await generatePrivateJwk()
    const newKey = await generatePrivateJwk()
    const before = createServiceCredentials({ caller: 'orders', keys: [oldKey] })
    published = before.publicJwks()
    const trust = createServiceTrust(
      { orders: { jwksUrl: url } },
      { keysCooldownMs: 0, fetch: (input, init) => fetch(input, init) },
    )
    await trust.refresh()
    const target = server(trust)
    expect((await call(target, await before.authorization('payments'))).statusCode).toBe(200)

    // Step 1: the new key is published beside the old one, which still signs.
    const publishing = createServiceCredentials({ caller: 'orders', keys: [oldKey, newKey] })
    published = publishing.publicJwks()
    // Step 2: the new key signs; tokens of the old one (still in flight) keep passing.
    const during = createServiceCredentials({ caller: 'orders', keys: [newKey, oldKey] })
    published = during.publicJwks()
    expect((await call(target, await during.authorization('payments'))).statusCode).toBe(200)
    const oldToken = await createServiceCredentials({
      caller: 'orders',
      keys: [oldKey],
    }).authorization('payments')
    expect((await call(target, oldToken)).statusCode).toBe(200)

    // Step 3: after a token's lifetime the old key goes; its (new) tokens are refused.
    published = createServiceCredentials({ caller: 'orders', keys: [newKey] }).publicJwks()
    await trust.refresh()
    const lateOld = await createServiceCredentials({
      caller: 'orders',
      keys: [oldKey],
    }).authorization('payments')
    expect((await call(target, lateOld)).statusCode).toBe(401)
    expect((await call(target, await during.authorization('payments'))).statusCode).toBe(200)
  })
})

describe('parseTrustedCallers', () => {
  it('reads URLs and public keys, and names the variable when wrong', () => {
    const key = orders.publicJwks().keys[0]
    expect(
      parseTrustedCallers(
        'PAYMENTS_TRUSTED_CALLERS',
        JSON.stringify({ orders: 'http://orders:8084/.well-known/service-jwks.json', cart: [key] }),
      ),
    ).toEqual({
      orders: { jwksUrl: 'http://orders:8084/.well-known/service-jwks.json' },
      cart: { keys: [key] },
    })
    expect(parseTrustedCallers('X', '')).toEqual({})
    expect(() => parseTrustedCallers('X', '[1]')).toThrow(/X must be a JSON object/)
    expect(() => parseTrustedCallers('X', '{"orders": "ftp://x"}')).toThrow(/X\.orders/)
    expect(() => parseTrustedCallers('X', JSON.stringify({ orders: [ordersKey] }))).toThrow(
      /X\.orders/,
    )
  })
})
