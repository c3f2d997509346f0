import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importJWK, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  embeddedManagementPort,
  reserveEmbeddedPorts,
  startProcess,
  waitForOk,
  type Started,
} from './process.js'
import { fillDataDir } from './embedded-data.js'
import { fetchRetryingShed } from './shop-client.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

interface Cart {
  items: Array<{ productId: string; quantity: number }>
  itemCount: number
}

// Issue 18, guest checkout's cart side, on the embedded platform as `npm start` runs it, through
// the gateway: a guest's cart token (the HttpOnly cookie for browsers, X-Cart-Token for API
// clients), its cart its own alone, account routes closed to it, and its cart merged into the
// account's at sign-in.
describe('guest carts (embedded platform)', () => {
  const port = embeddedPorts
  const base = port + 1
  const dataDir = mkdtempSync(join(tmpdir(), 'emporium-guests-'))
  const api = `http://127.0.0.1:${port}/api/v1`
  let started: Started
  let products: Array<{ id: string }>

  beforeAll(async () => {
    await fillDataDir(dataDir)
    started = startProcess('apps/all-in-one/src/main.ts', {
      PORT: String(port),
      EMBEDDED_PORT_BASE: String(base),
      DATA_DIR: dataDir,
      NOTIFICATIONS_SENDER: `file:${join(dataDir, 'mailbox.jsonl')}`,
      LOG_LEVEL: 'warn',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '1000000',
      GATEWAY_REGISTER_LIMIT_PER_CLIENT: '100000',
      GATEWAY_GUEST_LIMIT_PER_CLIENT: '100000',
    })
    await waitForOk(`http://127.0.0.1:${embeddedManagementPort(base)}/readyz`, started, 150_000)
    const list = await call('GET', '/products?limit=50')
    expect(list.status).toBe(200)
    // Products of one variant that can be bought: added without choosing a variant.
    products = (
      list.body.items as Array<{ id: string; available: number; variantCount?: number }>
    ).filter((p) => p.available >= 5 && (p.variantCount ?? 1) === 1)
    expect(products.length).toBeGreaterThanOrEqual(2)
  }, 180_000)

  afterAll(async () => {
    if (started?.child.exitCode === null) started.child.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any; cookies: string[] }> {
    const response = await fetchRetryingShed(`${api}${path}`, {
      method,
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    })
    const text = await response.text()
    return {
      status: response.status,
      body: text ? JSON.parse(text) : null,
      cookies: response.headers.getSetCookie(),
    }
  }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const cartHeader = (token: string) => ({ 'x-cart-token': token })
  const cookie = (token: string) => ({ cookie: `emporium_cart=${token}` })

  async function newGuest() {
    const reply = await call('POST', '/auth/guest')
    expect(reply.status).toBe(201)
    expect(reply.body).toEqual({ cartToken: expect.any(String), expiresIn: 30 * 86_400 })
    return reply as { body: { cartToken: string; expiresIn: number }; cookies: string[] }
  }
  async function register(tag: string, headers: Record<string, string> = {}) {
    const reply = await call('POST', '/auth/register', {
      body: {
        email: `${tag}-${Date.now()}@e2e.example`,
        password: 'correct horse battery',
        name: tag,
      },
      headers,
    })
    expect(reply.status).toBe(201)
    return reply.body.accessToken as string
  }
  const add = (headers: Record<string, string>, productId: string, quantity: number) =>
    call('POST', '/cart/items', { body: { productId, quantity }, headers })
  const cartOf = async (headers: Record<string, string>) => {
    const reply = await call('GET', '/cart', { headers })
    expect(reply.status).toBe(200)
    return reply.body as Cart
  }
  const lines = (cart: Cart) =>
    Object.fromEntries(cart.items.map((item) => [item.productId, item.quantity]))

  it('a guest shops with its cart token: header or cookie, its cart its own, account routes closed', async () => {
    const guest = await newGuest()
    const token = guest.body.cartToken
    // The browser's way: the gateway keeps the token in an HttpOnly, SameSite=Strict cookie.
    const set = guest.cookies.find((c) => c.startsWith('emporium_cart='))!
    expect(set).toContain(`emporium_cart=${token}`)
    expect(set).toMatch(/; HttpOnly/)
    expect(set).toMatch(/; SameSite=Strict/)
    expect(set).toMatch(/; Path=\/api\/v1/)
    expect(set).toMatch(/; Max-Age=2592000/)

    const [p1, p2] = [products[0]!.id, products[1]!.id]
    expect((await add(cartHeader(token), p1, 2)).status).toBe(200)
    expect((await add(cookie(token), p2, 1)).status).toBe(200)
    expect(lines(await cartOf(cartHeader(token)))).toEqual({ [p1]: 2, [p2]: 1 })
    expect(lines(await cartOf(cookie(token)))).toEqual({ [p1]: 2, [p2]: 1 })

    // Nobody else sees it: another guest, an account.
    const other = await newGuest()
    expect((await cartOf(cartHeader(other.body.cartToken))).items).toEqual([])
    const stranger = await register('stranger')
    expect((await cartOf(bearer(stranger))).items).toEqual([])

    // Account routes refuse a guest, whichever way its token comes.
    for (const headers of [cartHeader(token), cookie(token), bearer(token)]) {
      const me = await call('GET', '/users/me', { headers })
      expect(me.status).toBe(403)
      expect(me.body).toMatchObject({ code: 'AUTH.GUEST_NOT_ALLOWED' })
    }
  })

  it('a forged or expired cart token is a 401; an account token in the cookie is refused', async () => {
    const { cartToken } = (await newGuest()).body
    const [head, payload, signature] = cartToken.split('.') as [string, string, string]
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<
      string,
      unknown
    >
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: 'guest_someone-else' })).toString(
      'base64url',
    )
    // An expired guest token, signed with the platform's own key (so only its expiry is wrong).
    const keys = JSON.parse(
      readFileSync(join(dataDir, 'users', 'signing-keys.json'), 'utf8'),
    ) as JWK[]
    const key = keys[0]!
    const now = Math.floor(Date.now() / 1000)
    const expired = await new SignJWT({ roles: ['guest'] })
      .setProtectedHeader({ alg: key.alg ?? 'EdDSA', kid: key.kid!, typ: 'at+jwt' })
      .setSubject('guest_expired')
      .setIssuer('emporium-users')
      .setAudience('emporium')
      .setJti('expired-1')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(await importJWK(key, key.alg ?? 'EdDSA'))
    const cases: Array<[Record<string, string>, string]> = [
      [cartHeader(`${head}.${tampered}.${signature}`), 'AUTH.INVALID_TOKEN'],
      [cookie(`${head}.${tampered}.${signature}`), 'AUTH.INVALID_TOKEN'],
      [cartHeader('not.a.token'), 'AUTH.INVALID_TOKEN'],
      [cartHeader(expired), 'AUTH.TOKEN_EXPIRED'],
      [cookie(expired), 'AUTH.TOKEN_EXPIRED'],
    ]
    for (const [headers, code] of cases) {
      const reply = await call('GET', '/cart', { headers })
      expect({ headers, status: reply.status, code: reply.body?.code }).toEqual({
        headers,
        status: 401,
        code,
      })
    }
    // A real access token where only a guest's may come (a cookie rides along on any page the
    // browser loads: CSRF).
    const account = await register('csrf')
    expect((await add(bearer(account), products[0]!.id, 1)).status).toBe(200)
    for (const headers of [cookie(account), cartHeader(account)]) {
      const read = await call('GET', '/cart', { headers })
      expect(read.status).toBe(401)
      expect((await add(headers, products[0]!.id, 1)).status).toBe(401)
    }
    expect(lines(await cartOf(bearer(account)))).toEqual({ [products[0]!.id]: 1 })
  })

  it("at sign-in the guest's cart merges into the account's and the cookie is cleared; once", async () => {
    const { cartToken } = (await newGuest()).body
    const [p1, p2] = [products[0]!.id, products[1]!.id]
    expect((await add(cookie(cartToken), p1, 1)).status).toBe(200)
    expect((await add(cookie(cartToken), p2, 3)).status).toBe(200)
    const account = await register('merger', cookie(cartToken))
    expect((await add(bearer(account), p1, 2)).status).toBe(200)

    // The browser sends the cookie with the account's bearer token; the gateway forwards it.
    const merged = await call('POST', '/cart/merge', {
      headers: { ...bearer(account), ...cookie(cartToken) },
    })
    expect(merged.status).toBe(200)
    expect(lines(merged.body)).toEqual({ [p1]: 3, [p2]: 3 })
    expect(merged.body).toMatchObject({ mergedLines: 2, notMerged: [] })
    const cleared = merged.cookies.find((c) => c.startsWith('emporium_cart='))!
    expect(cleared).toMatch(/^emporium_cart=;/)
    expect(cleared).toMatch(/; Max-Age=0/)
    expect(lines(await cartOf(bearer(account)))).toEqual({ [p1]: 3, [p2]: 3 })
    expect((await cartOf(cartHeader(cartToken))).items).toEqual([])

    // Again (a double click, an API client's retry): nothing moves twice.
    const again = await call('POST', '/cart/merge', {
      headers: { ...bearer(account), ...cartHeader(cartToken) },
    })
    expect(again.status).toBe(200)
    expect(again.body).toMatchObject({ mergedLines: 0, itemCount: 6 })

    // A merge needs an account and a guest's token.
    const byGuest = await call('POST', '/cart/merge', {
      headers: { ...bearer(cartToken), ...cartHeader(cartToken) },
    })
    expect(byGuest.status).toBe(403)
    const noToken = await call('POST', '/cart/merge', { headers: bearer(account) })
    expect(noToken).toMatchObject({ status: 400, body: { code: 'CART.INVALID_CART_TOKEN' } })
  })
})
