import { afterEach, describe, expect, it } from 'vitest'
import { createEmporiumClient } from './client.js'
import { getGuestToken, mergeCart } from './guest.js'
import { EmporiumProblem } from './problem.js'
import { json, startServer, type Handler } from './server-test-support.js'

let server: Awaited<ReturnType<typeof startServer>> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function serve(handle: Handler) {
  server = await startServer(handle)
  return server
}

const merged = { items: [], subtotal: { amount: 0, currency: 'USD' }, itemCount: 0 }

describe('guests', () => {
  it('gets a cart token and shops with it as X-Cart-Token', async () => {
    const { origin, received } = await serve((request, response) =>
      request.url === '/api/v1/auth/guest'
        ? json(response, 201, { cartToken: 'g.t.k', expiresIn: 2_592_000 })
        : json(response, 200, merged),
    )
    const { cartToken } = await getGuestToken(createEmporiumClient({ baseUrl: origin }))
    expect(cartToken).toBe('g.t.k')
    const guest = createEmporiumClient({ baseUrl: origin, cartToken })
    await guest.GET('/api/v1/cart')
    expect(received[1]!.headers['x-cart-token']).toBe('g.t.k')
    expect(received[1]!.headers.authorization).toBeUndefined()
  })

  it("merges at sign-in: the account's bearer token with the guest's cart token", async () => {
    const { origin, received } = await serve((request, response) =>
      json(response, 200, { ...merged, mergedLines: 1, notMerged: [] }),
    )
    const account = createEmporiumClient({ baseUrl: origin, token: 'account' })
    expect(await mergeCart(account, 'g.t.k')).toMatchObject({ mergedLines: 1 })
    expect(received[0]).toMatchObject({
      method: 'POST',
      url: '/api/v1/cart/merge',
      headers: { authorization: 'Bearer account', 'x-cart-token': 'g.t.k' },
    })
    // Without a token argument: the client's option, or in a browser the gateway's cookie.
    await mergeCart(createEmporiumClient({ baseUrl: origin, token: 'account', cartToken: 'c.o.k' }))
    expect(received[1]!.headers['x-cart-token']).toBe('c.o.k')
  })

  it('throws the problem of a refused merge', async () => {
    const { origin } = await serve((request, response) => {
      response.writeHead(400, { 'content-type': 'application/problem+json' })
      response.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          code: 'CART.INVALID_CART_TOKEN',
          detail: 'The cart token is not valid.',
        }),
      )
    })
    const error = await mergeCart(createEmporiumClient({ baseUrl: origin, token: 'a' }), 'x').then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(EmporiumProblem)
    expect(error).toMatchObject({ status: 400, code: 'CART.INVALID_CART_TOKEN' })
  })
})
