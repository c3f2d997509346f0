import { afterEach, describe, expect, it } from 'vitest'
import { createEmporiumClient, randomKey } from './client.js'
import { unwrap } from './problem.js'
import { json, startServer, type Handler } from './server-test-support.js'

const order = {
  id: 'o1',
  status: 'pending',
  items: [],
  total: { amount: 1999, currency: 'USD' },
}
const placement = {
  shippingAddress: {
    name: 'Ada',
    line1: '1 Market Street',
    city: 'Springfield',
    postalCode: '12345',
    country: 'US',
  },
  payment: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2040, cvc: '123' },
}

let server: Awaited<ReturnType<typeof startServer>> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve(handle: Handler) {
  server = await startServer(handle)
  return server
}

describe('createEmporiumClient', () => {
  it('calls the typed paths under the origin, with query and path parameters', async () => {
    const { origin, received } = await serve((request, response) =>
      json(response, 200, { items: [], nextCursor: null }),
    )
    const client = createEmporiumClient({ baseUrl: origin })
    const page = await unwrap(
      client.GET('/api/v1/products', { params: { query: { q: 'mug cup', limit: 5 } } }),
    )
    expect(page).toEqual({ items: [], nextCursor: null })
    expect(received[0]).toMatchObject({
      method: 'GET',
      url: '/api/v1/products?q=mug%20cup&limit=5',
      headers: { accept: 'application/json' },
    })
    expect(received[0]!.headers.authorization).toBeUndefined()
  })

  it('sends the bearer token, from a string or asked before each request', async () => {
    const { origin, received } = await serve((request, response) => json(response, 200, {}))
    await createEmporiumClient({ baseUrl: origin, token: 'abc' }).GET('/api/v1/cart')
    let n = 0
    const asking = createEmporiumClient({ baseUrl: origin, token: async () => `t${++n}` })
    await asking.GET('/api/v1/cart')
    await asking.GET('/api/v1/cart')
    // A request's own authorization wins (one client, another shopper's token).
    await asking.GET('/api/v1/cart', { headers: { authorization: 'Bearer mine' } })
    // No token (signed out): no header.
    await createEmporiumClient({ baseUrl: origin, token: () => undefined }).GET('/api/v1/cart')
    expect(received.map((r) => r.headers.authorization)).toEqual([
      'Bearer abc',
      'Bearer t1',
      'Bearer t2',
      'Bearer mine',
      undefined,
    ])
  })

  it('after a 401, asks for a new token once and sends the same request again', async () => {
    const { origin, received } = await serve((request, response) =>
      request.headers.authorization === 'Bearer fresh'
        ? json(response, 202, order)
        : json(response, 401, {
            type: 'about:blank',
            title: 'Unauthorized',
            status: 401,
            detail: 'expired',
          }),
    )
    let asked = 0
    const client = createEmporiumClient({
      baseUrl: origin,
      token: 'stale',
      onUnauthorized: async () => (++asked === 1 ? 'fresh' : undefined),
    })
    const placed = await unwrap(client.POST('/api/v1/orders', { body: placement }))
    expect(placed.id).toBe('o1')
    expect(asked).toBe(1)
    expect(received.map((r) => r.headers.authorization)).toEqual(['Bearer stale', 'Bearer fresh'])
    // The same body and the same Idempotency-Key: the platform may replay, never place twice.
    expect(received[1]!.body).toBe(received[0]!.body)
    expect(JSON.parse(received[1]!.body)).toEqual(placement)
    expect(received[1]!.headers['idempotency-key']).toBe(received[0]!.headers['idempotency-key'])

    // A refresh that fails gives up: the 401 is the answer.
    const again = await client.GET('/api/v1/orders/{id}', { params: { path: { id: 'o1' } } })
    expect(again.response.status).toBe(401)
    expect(asked).toBe(2)
    expect(received).toHaveLength(3)
  })

  it('fills in an Idempotency-Key where the API takes one, and keeps the caller’s', async () => {
    const { origin, received } = await serve((request, response) => json(response, 202, order))
    const client = createEmporiumClient({ baseUrl: origin, token: 't' })
    await client.POST('/api/v1/orders', { body: placement })
    await client.POST('/api/v1/orders', { body: placement })
    await client.POST('/api/v1/orders', {
      body: placement,
      params: { header: { 'idempotency-key': 'my-key' } },
    })
    await client.POST('/api/v1/orders/{id}/cancel', { params: { path: { id: 'o1' } } })
    const keys = received.map((r) => r.headers['idempotency-key'])
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(keys[1]).not.toBe(keys[0])
    expect(keys.slice(2)).toEqual(['my-key', undefined])
    expect(received[0]!.headers['content-type']).toBe('application/json')
  })

  it('sends a shed request again after its retry-after when asked to, never a refused one', async () => {
    const shed = (response: Parameters<Handler>[1], kind: string, seconds = '0') => {
      response.setHeader('retry-after', seconds)
      response.setHeader('x-emporium-shed', kind)
      json(response, 503, { type: 'about:blank', title: 'Busy', status: 503, detail: 'busy' })
    }
    let calls = 0
    const { origin, received } = await serve((request, response) => {
      calls++
      const path = request.url ?? ''
      if (path.startsWith('/api/v1/products') && calls <= 2) return shed(response, 'admission')
      if (path === '/api/v1/orders' && received.length <= 4) return shed(response, 'deadline')
      if (path.startsWith('/api/v1/cart')) return shed(response, 'admission', '30')
      if (path === '/api/v1/users/me') return json(response, 503, { status: 503 })
      return json(response, request.method === 'POST' ? 202 : 200, order)
    })
    const client = createEmporiumClient({ baseUrl: origin, token: 't', retryShed: { attempts: 3 } })
    // Two admission sheds, then the answer: three requests, the caller sees the last.
    const page = await client.GET('/api/v1/products')
    expect(page.response.status).toBe(200)
    expect(received).toHaveLength(3)
    // A placement past the gateway's deadline is sent again with its body and the same key.
    const placed = await client.POST('/api/v1/orders', { body: placement })
    expect(placed.response.status).toBe(202)
    expect(received).toHaveLength(5)
    expect(received[4]!.body).toBe(received[3]!.body)
    expect(received[4]!.headers['idempotency-key']).toBe(received[3]!.headers['idempotency-key'])
    // A wait longer than the caller allows, and a 503 that is not a shed, are the answer.
    expect((await client.GET('/api/v1/cart')).response.status).toBe(503)
    expect((await client.GET('/api/v1/users/me')).response.status).toBe(503)
    expect(received).toHaveLength(7)
    // Off unless asked: the shed answer is the caller's.
    calls = 0
    const plain = createEmporiumClient({ baseUrl: origin })
    expect((await plain.GET('/api/v1/products')).response.status).toBe(503)
    expect(received).toHaveLength(8)
  })

  it('takes a fetch of the caller’s and headers for every request', async () => {
    const { origin, received } = await serve((request, response) => json(response, 200, {}))
    const sent: string[] = []
    const client = createEmporiumClient({
      baseUrl: origin,
      headers: { 'x-request-id': 'r-1' },
      idempotencyKey: () => 'k-1',
      fetch: (request) => {
        sent.push(`${request.method} ${new URL(request.url).pathname}`)
        return fetch(request)
      },
    })
    await client.POST('/api/v1/orders', { body: placement })
    expect(sent).toEqual(['POST /api/v1/orders'])
    expect(received[0]!.headers).toMatchObject({ 'x-request-id': 'r-1', 'idempotency-key': 'k-1' })
  })
})

describe('randomKey', () => {
  it('makes version 4 UUIDs', () => {
    const keys = new Set(Array.from({ length: 100 }, randomKey))
    expect(keys.size).toBe(100)
    for (const key of keys)
      expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
