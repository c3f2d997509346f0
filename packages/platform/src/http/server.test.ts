import { PassThrough } from 'node:stream'
import { setTimeout as delay } from 'node:timers/promises'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { pino } from 'pino'
import Type from 'typebox'
import { Pool } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { currentContext } from '../context.js'
import { AppError } from '../errors.js'
import { createMetricsRegistry } from '../metrics.js'
import { currentTraceparent } from '../tracing.js'
import { createHttpServer, type HttpServer, type HttpServerOptions } from './server.js'

const Line = Type.Object(
  { productId: Type.String({ minLength: 1 }), quantity: Type.Integer({ minimum: 1, maximum: 99 }) },
  { additionalProperties: false },
)

const routes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/items', { schema: { body: Line } }, async (request) => ({ added: request.body }))
  app.get(
    '/items',
    {
      schema: {
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => ({ limit: request.query.limit }),
  )
  app.get(
    '/products/:id',
    { schema: { response: { 200: Type.Object({ id: Type.String() }) } } },
    async (request) => ({ id: (request.params as { id: string }).id, secret: 'internal' }),
  )
  app.get('/boom', async () => {
    throw new Error('SELECT password FROM users; at /srv/app/src/db.ts:12')
  })
  app.get('/conflict', async () => {
    throw new AppError('conflict', 'CART.NOT_ENOUGH_STOCK', 'Only 2 left.')
  })
  app.get('/busy', async () => {
    throw new AppError('too_many', 'RATE.LIMITED', 'Slow down.', {
      details: { retryAfterSeconds: 7 },
    })
  })
  const seen = async () => ({ work: currentContext(), traceparent: currentTraceparent() })
  app.get('/context', seen)
  app.post('/context', async () => {
    await delay(5)
    return seen()
  })
  app.get('/slow', async () => {
    await delay(300)
    return { done: true }
  })
  // An event stream that ends after `ms` (or never), as the gateway passes one on.
  app.get('/stream', async (request, reply) => {
    const { ms } = request.query as { ms?: string }
    const body = new PassThrough()
    body.write('event: status\ndata: {}\n\n')
    if (ms) setTimeout(() => body.end('data: {}\n\n'), Number(ms))
    return reply.type('text/event-stream').send(body)
  })
}

const lines: Array<Record<string, unknown>> = []
const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
const servers: HttpServer[] = []

function build(options: Partial<HttpServerOptions> = {}): HttpServer {
  const registry = createMetricsRegistry('test', { processMetrics: false })
  const server = createHttpServer({ service: 'test', log, registry, routes, ...options })
  servers.push(server)
  return server
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  lines.length = 0
})

const json = { 'content-type': 'application/json' }

describe('problem documents', () => {
  it('lists every failing body field: wrong type, missing and unknown', async () => {
    const res = await build().inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: { quantity: 0, role: 'admin', price: 1 },
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    const body = res.json()
    expect(body).toMatchObject({
      type: 'https://emporium.dev/problems/http/validation',
      title: 'Bad Request',
      status: 400,
      code: 'HTTP.VALIDATION',
      instance: res.headers['x-request-id'],
    })
    expect(typeof body.detail).toBe('string')
    const paths = body.errors.map((e: { path: string }) => e.path).sort()
    expect(paths).toEqual(['/body/price', '/body/productId', '/body/quantity', '/body/role'])
  })

  it('does not coerce JSON bodies but coerces and defaults query strings', async () => {
    const server = build()
    const coerced = await server.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: { productId: 'p1', quantity: '2' },
    })
    expect(coerced.statusCode).toBe(400)
    expect(coerced.json().errors).toEqual([{ path: '/body/quantity', message: 'must be integer' }])
    const ok = await server.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: { productId: 'p1', quantity: 2 },
    })
    expect(ok.json()).toEqual({ added: { productId: 'p1', quantity: 2 } })
    expect((await server.inject('/items?limit=5')).json()).toEqual({ limit: 5 })
    expect((await server.inject('/items')).json()).toEqual({ limit: 20 })
    const tooMany = await server.inject('/items?limit=500')
    expect(tooMany.statusCode).toBe(400)
    expect(tooMany.json().errors[0].path).toBe('/querystring/limit')
  })

  it('answers malformed JSON, large bodies and unknown media types', async () => {
    const server = build()
    const malformed = await server.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: '{"productId":',
    })
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json().code).toBe('HTTP.MALFORMED_JSON')
    const large = await server.inject({
      method: 'POST',
      url: '/items',
      headers: json,
      payload: JSON.stringify({ productId: 'x'.repeat(1024 * 1024), quantity: 1 }),
    })
    expect(large.statusCode).toBe(413)
    expect(large.json().code).toBe('HTTP.PAYLOAD_TOO_LARGE')
    const xml = await server.inject({
      method: 'POST',
      url: '/items',
      headers: { 'content-type': 'text/xml' },
      payload: '<a/>',
    })
    expect(xml.statusCode).toBe(415)
    expect(xml.headers['content-type']).toMatch(/^application\/problem\+json/)
  })

  it('answers unknown routes and wrong methods with a 404 problem', async () => {
    const server = build()
    for (const res of [
      await server.inject('/nowhere'),
      await server.inject({ method: 'DELETE', url: '/items' }),
    ]) {
      expect(res.statusCode).toBe(404)
      expect(res.json()).toMatchObject({
        status: 404,
        code: 'HTTP.NOT_FOUND',
        instance: res.headers['x-request-id'],
      })
      expect(res.headers['x-request-id']).toBeTruthy()
    }
  })

  it('answers a URL that cannot be decoded with a 400 problem', async () => {
    const res = await build().inject({
      url: '/products/%zz',
      headers: { 'x-request-id': 'bad-url-1' },
    })
    expect(res.statusCode).toBe(400)
    expect(res.headers['x-request-id']).toBe('bad-url-1')
    expect(res.json()).toMatchObject({ code: 'HTTP.BAD_URL', instance: 'bad-url-1' })
  })

  it('renders AppError with its status and code, and retry-after', async () => {
    const server = build()
    const conflict = await server.inject('/conflict')
    expect(conflict.statusCode).toBe(409)
    expect(conflict.json()).toMatchObject({
      type: 'https://emporium.dev/problems/cart/not-enough-stock',
      title: 'Conflict',
      code: 'CART.NOT_ENOUGH_STOCK',
      detail: 'Only 2 left.',
    })
    const busy = await server.inject('/busy')
    expect(busy.statusCode).toBe(429)
    expect(busy.headers['retry-after']).toBe('7')
  })

  it('hides the internals of an unexpected error and logs it with the request id', async () => {
    const res = await build().inject({ url: '/boom', headers: { 'x-request-id': 'req-boom-1' } })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({
      type: 'https://emporium.dev/problems/internal',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred.',
      code: 'INTERNAL',
      instance: 'req-boom-1',
    })
    expect(res.body).not.toMatch(/SELECT|password|db\.ts|at /)
    const logged = lines.find((l) => l.msg === 'request failed')
    expect(logged).toMatchObject({ requestId: 'req-boom-1', level: 50 })
    expect(JSON.stringify(logged)).toContain('SELECT password')
  })

  it('serializes responses by their schema, dropping fields it does not declare', async () => {
    const res = await build().inject('/products/abc')
    expect(res.json()).toEqual({ id: 'abc' })
  })

  it('gives a request over its deadline a 503 problem', async () => {
    const res = await build({ requestTimeoutMs: 50 }).inject('/slow')
    expect(res.statusCode).toBe(503)
    expect(res.json().code).toBe('HTTP.TIMEOUT')
  })
})

describe('request ids and contexts', () => {
  it('echoes a sane x-request-id and replaces any other with a UUID', async () => {
    const server = build()
    const sane = await server.inject({
      url: '/items',
      headers: { 'x-request-id': 'abc-123:x.y_z' },
    })
    expect(sane.headers['x-request-id']).toBe('abc-123:x.y_z')
    for (const bad of ['has space', 'x'.repeat(129), '<script>']) {
      const res = await server.inject({ url: '/nowhere', headers: { 'x-request-id': bad } })
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it('runs the handler in the work context and the incoming trace, also after body parsing', async () => {
    const server = build()
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736'
    const headers = {
      'x-request-id': 'req-1',
      'x-correlation-id': 'checkout-9',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    }
    const get = await server.inject({ url: '/context', headers })
    const post = await server.inject({
      method: 'POST',
      url: '/context',
      headers: { ...headers, ...json },
      payload: { a: 1 },
    })
    for (const res of [get, post]) {
      const body = res.json()
      expect(body.work).toEqual({ requestId: 'req-1', correlationId: 'checkout-9' })
      const [, trace, span] = body.traceparent.split('-')
      expect(trace).toBe(traceId)
      // The handler runs in the server span, a child of the caller's.
      expect(span).not.toBe('00f067aa0ba902b7')
    }
  })

  it('starts a trace and a correlation when none came', async () => {
    const res = await build().inject({
      url: '/context',
      headers: { 'x-correlation-id': 'bad id!' },
    })
    const body = res.json()
    expect(body.work.correlationId).toBe(res.headers['x-request-id'])
    expect(body.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
  })
})

describe('shutdown', () => {
  it('finishes requests in flight and does not wait on idle keep-alive connections', async () => {
    const server = build()
    const url = await server.listen({ port: 0, host: '127.0.0.1' })
    const pool = new Pool(url, { connections: 2 })
    try {
      await (await pool.request({ method: 'GET', path: '/healthz' })).body.text() // now idle
      const slow = pool.request({ method: 'GET', path: '/slow' })
      await delay(50)
      // Without the drain, the busy connection stays open for the keep-alive timeout (72 s).
      const closed = server.close().then(() => 'closed')
      expect(await Promise.race([closed, delay(3_000).then(() => 'hung')])).toBe('closed')
      const res = await slow
      expect(res.statusCode).toBe(200)
      expect(await res.body.json()).toEqual({ done: true })
    } finally {
      await pool.destroy()
    }
  })

  it('closes a connection that goes idle after closing began, once its stream ends', async () => {
    const server = build()
    const url = await server.listen({ port: 0, host: '127.0.0.1' })
    const pool = new Pool(url, { connections: 1 })
    try {
      // Headers left before close(): the response cannot ask for `connection: close` any more.
      const res = await pool.request({ method: 'GET', path: '/stream?ms=100' })
      const text = res.body.text()
      await delay(50)
      const closed = server.close().then(() => 'closed')
      // Without the sweep, the kept-alive connection holds close() for 72 s.
      expect(await Promise.race([closed, delay(3_000).then(() => 'hung')])).toBe('closed')
      expect(await text).toContain('event: status')
    } finally {
      await pool.destroy()
    }
  })

  it('cuts an event stream the service does not end itself', async () => {
    const server = build()
    const url = await server.listen({ port: 0, host: '127.0.0.1' })
    const pool = new Pool(url, { connections: 1 })
    try {
      const res = await pool.request({ method: 'GET', path: '/stream' })
      const ended = res.body.text().then(
        () => 'ended',
        () => 'cut',
      )
      await delay(50)
      const closed = server.close().then(() => 'closed')
      expect(await Promise.race([closed, delay(3_000).then(() => 'hung')])).toBe('closed')
      expect(await ended).toBe('cut')
    } finally {
      await pool.destroy()
    }
  })
})

describe('OpenAPI document', () => {
  it('describes the routes from their schemas and leaves operational routes out', async () => {
    const app = build({ openapi: { title: 'Lines API', version: '2.0.0' } })
    const response = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const doc = response.json<{
      openapi: string
      info: { title: string; version: string }
      paths: Record<string, Record<string, { requestBody?: unknown }>>
    }>()
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.info).toMatchObject({ title: 'Lines API', version: '2.0.0' })
    expect(doc.paths['/items']?.post?.requestBody).toBeDefined()
    expect(Object.keys(doc.paths)).not.toContain('/healthz')
    expect(Object.keys(doc.paths)).not.toContain('/metrics')
    expect(Object.keys(doc.paths)).not.toContain('/openapi.json')
  })
})
