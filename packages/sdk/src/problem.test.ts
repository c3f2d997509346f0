import { afterEach, describe, expect, it } from 'vitest'
import { createEmporiumClient } from './client.js'
import { EmporiumProblem, retryAfterSeconds, unwrap } from './problem.js'
import { json, startServer, type Handler } from './server-test-support.js'

let server: Awaited<ReturnType<typeof startServer>> | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function clientOf(handle: Handler) {
  server = await startServer(handle)
  return createEmporiumClient({ baseUrl: server.origin, token: 't' })
}

describe('unwrap', () => {
  it('throws the problem document of a failed call as an EmporiumProblem', async () => {
    const client = await clientOf((request, response) =>
      json(
        response,
        400,
        {
          type: 'https://emporium.example/problems/invalid',
          title: 'Bad Request',
          status: 400,
          detail: 'The request is invalid.',
          code: 'HTTP.VALIDATION',
          errors: [{ path: '/quantity', message: 'must be <= 99' }],
        },
        { 'x-request-id': 'req-7' },
      ),
    )
    const failure = await unwrap(
      client.POST('/api/v1/cart/items', { body: { productId: 'p1', quantity: 100 } }),
    ).catch((error: unknown) => error)
    expect(failure).toBeInstanceOf(EmporiumProblem)
    expect(failure).toMatchObject({
      name: 'EmporiumProblem',
      message: 'The request is invalid.',
      status: 400,
      type: 'https://emporium.example/problems/invalid',
      title: 'Bad Request',
      code: 'HTTP.VALIDATION',
      errors: [{ path: '/quantity', message: 'must be <= 99' }],
      requestId: 'req-7',
    })
    expect((failure as EmporiumProblem).retryAfter).toBeUndefined()
  })

  it('keeps what retry-after asked of a 429 or 503', async () => {
    const client = await clientOf((request, response) =>
      json(
        response,
        503,
        { type: 'about:blank', title: 'Service Unavailable', status: 503, detail: 'Busy.' },
        { 'retry-after': '3', 'x-emporium-shed': 'admission' },
      ),
    )
    const failure = (await unwrap(client.GET('/api/v1/cart')).catch((e: unknown) => e)) as
      EmporiumProblem | undefined
    expect(failure?.status).toBe(503)
    expect(failure?.retryAfter).toBe(3)
    expect(failure?.headers?.get('x-emporium-shed')).toBe('admission')
  })

  it('makes a problem of an answer that is none (a proxy’s page, an empty body)', async () => {
    const client = await clientOf((request, response) => {
      if (request.url.endsWith('/cart')) {
        response.writeHead(502, { 'content-type': 'text/html' })
        response.end('<h1>Bad gateway</h1>')
      } else {
        response.writeHead(500, { 'content-length': '0' })
        response.end()
      }
    })
    await expect(unwrap(client.GET('/api/v1/cart'))).rejects.toMatchObject({
      status: 502,
      type: 'about:blank',
      title: 'Bad Gateway',
      detail: '<h1>Bad gateway</h1>',
    })
    await expect(unwrap(client.GET('/api/v1/users/me'))).rejects.toMatchObject({
      status: 500,
      title: 'Internal Server Error',
      detail: '',
    })
  })

  it('resolves with the body of a success, and undefined for a 204', async () => {
    const client = await clientOf((request, response) => {
      if (request.method === 'DELETE') {
        response.writeHead(204)
        response.end()
      } else json(response, 200, { items: [], subtotal: { amount: 0, currency: 'USD' } })
    })
    expect(await unwrap(client.GET('/api/v1/cart'))).toMatchObject({ items: [] })
    expect(await unwrap(client.DELETE('/api/v1/cart'))).toBeUndefined()
  })
})

describe('retryAfterSeconds', () => {
  it('reads delta-seconds and HTTP dates, and nothing else', () => {
    expect(retryAfterSeconds('7')).toBe(7)
    expect(retryAfterSeconds(' 0 ')).toBe(0)
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString()
    expect(retryAfterSeconds(inTenSeconds)).toBeGreaterThanOrEqual(8)
    expect(retryAfterSeconds(inTenSeconds)).toBeLessThanOrEqual(11)
    expect(retryAfterSeconds(new Date(0).toUTCString())).toBe(0)
    expect(retryAfterSeconds(null)).toBeUndefined()
    expect(retryAfterSeconds('')).toBeUndefined()
    expect(retryAfterSeconds('soon')).toBeUndefined()
  })
})
