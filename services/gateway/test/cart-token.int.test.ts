import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, startFakeUsers, type Echo, type FakeUsers } from './fake-upstreams.js'
import { bearer, call, startGateway, type Answer, type TestGateway } from './gateway-harness.js'

// A guest's cart token at the edge (issue 18): the cookie the gateway sets and clears, the
// header, and which of them reach an upstream as what.
let users: FakeUsers
let services: Awaited<ReturnType<typeof startEchoUpstream>>
let gateway: TestGateway
let customer: string

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
})

afterAll(async () => {
  await gateway?.stop()
  await Promise.all([users?.stop(), services?.stop()])
})

const setCookie = (answer: Answer) => [answer.headers['set-cookie'] ?? []].flat().join('\n')

async function newGuest(at = gateway): Promise<{ token: string; cookie: string }> {
  const answer = await call(`${at.url}/api/v1/auth/guest`, { method: 'POST' })
  expect(answer.status, answer.text).toBe(201)
  const { cartToken } = answer.json<{ cartToken: string }>()
  return { token: cartToken, cookie: setCookie(answer) }
}

describe('cart tokens at the gateway', () => {
  it('sets the cart cookie when the users service issues a token: HttpOnly, SameSite=Strict, the API path', async () => {
    const { token, cookie } = await newGuest()
    expect(cookie).toBe(
      `emporium_cart=${token}; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age=2592000`,
    )
  })

  it('authenticates a request without Authorization by its X-Cart-Token header or its cookie', async () => {
    const { token } = await newGuest()
    const ways: Array<Record<string, string>> = [
      { 'x-cart-token': token },
      { cookie: `a=1; emporium_cart=${token}` },
    ]
    for (const headers of ways) {
      const answer = await call(`${gateway.url}/api/v1/cart`, { headers })
      expect(answer.status, answer.text).toBe(200)
      const echo = answer.json<Echo>()
      expect(echo.headers.authorization).toBe(`Bearer ${token}`)
      expect(echo.headers['x-cart-token']).toBeUndefined()
    }
  })

  it("refuses an account's access token as a cart token (CSRF), and forged or expired ones: 401", async () => {
    const expired = await users.token(
      { sub: 'guest_old', roles: ['guest'] },
      { expiresIn: Math.floor(Date.now() / 1000) - 120 },
    )
    const cases: Array<[Record<string, string>, string]> = [
      [{ cookie: `emporium_cart=${customer}` }, 'AUTH.INVALID_TOKEN'],
      [{ 'x-cart-token': customer }, 'AUTH.INVALID_TOKEN'],
      [{ 'x-cart-token': await users.foreignToken({ roles: ['guest'] }) }, 'AUTH.INVALID_TOKEN'],
      [{ 'x-cart-token': 'not.a.token' }, 'AUTH.INVALID_TOKEN'],
      [{ cookie: `emporium_cart=${expired}` }, 'AUTH.TOKEN_EXPIRED'],
    ]
    const before = services.received.length
    for (const [headers, code] of cases) {
      const answer = await call(`${gateway.url}/api/v1/cart`, { headers })
      expect(answer.status, JSON.stringify(headers)).toBe(401)
      expect(answer.json()).toMatchObject({ code })
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/)
    }
    expect(services.received.length).toBe(before)
  })

  it('forwards the cart token as x-cart-token beside Authorization, and strips it otherwise', async () => {
    const { token } = await newGuest()
    const signedIn = await call(`${gateway.url}/api/v1/cart`, {
      headers: { ...bearer(customer), cookie: `emporium_cart=${token}` },
    })
    expect(signedIn.json<Echo>().headers).toMatchObject({
      authorization: `Bearer ${customer}`,
      'x-cart-token': token,
    })
    const withHeader = await call(`${gateway.url}/api/v1/cart`, {
      headers: { ...bearer(customer), 'x-cart-token': token },
    })
    expect(withHeader.json<Echo>().headers['x-cart-token']).toBe(token)
    // A public route: the token is neither checked nor passed on, nor promoted to Authorization.
    const publicRoute = await call(`${gateway.url}/api/v1/products`, {
      headers: { 'x-cart-token': 'anything at all' },
    })
    expect(publicRoute.status).toBe(200)
    expect(publicRoute.json<Echo>().headers['x-cart-token']).toBeUndefined()
    expect(publicRoute.json<Echo>().headers.authorization).toBeUndefined()
  })

  it('clears the cookie when a merge succeeds', async () => {
    const { token } = await newGuest()
    const merged = await call(`${gateway.url}/api/v1/cart/merge`, {
      method: 'POST',
      headers: { ...bearer(customer), cookie: `emporium_cart=${token}` },
    })
    expect(merged.status).toBe(200)
    expect(merged.json<Echo>().headers['x-cart-token']).toBe(token)
    expect(setCookie(merged)).toBe(
      'emporium_cart=; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age=0',
    )
    // Any other cart route leaves the cookie alone.
    const read = await call(`${gateway.url}/api/v1/cart`, { headers: { 'x-cart-token': token } })
    expect(setCookie(read)).toBe('')
  })

  it('marks the cookie Secure behind an https public address or a trusted https proxy', async () => {
    const secure = await startGateway({
      GATEWAY_USERS_URLS: users.url,
      GATEWAY_PUBLIC_URL: 'https://shop.example',
    })
    try {
      expect((await newGuest(secure)).cookie).toMatch(/; Secure$/)
    } finally {
      await secure.stop()
    }
    const viaProxy = await call(`${gateway.url}/api/v1/auth/guest`, {
      method: 'POST',
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(setCookie(viaProxy)).toMatch(/; Secure$/)
  })
})
