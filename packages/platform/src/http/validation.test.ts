import { pino } from 'pino'
import Type from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { createHttpServer, type HttpServer } from './server.js'

const Bytes = Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' })

describe('request validation', () => {
  let app: HttpServer

  beforeAll(async () => {
    app = createHttpServer({
      service: 'test',
      log: pino({ level: 'silent' }),
      registry: createMetricsRegistry('test'),
      routes: async (routes) => {
        routes.addContentTypeParser('image/png', { parseAs: 'buffer' }, (_r, body, done) =>
          done(null, body),
        )
        routes.post(
          '/upload',
          {
            schema: {
              querystring: Type.Object({ alt: Type.Optional(Type.String({ maxLength: 3 })) }),
              body: { content: { 'image/png': { schema: Bytes } } },
            },
          },
          async (request) => ({ bytes: (request.body as Buffer).length }),
        )
        routes.post('/text', { schema: { body: Bytes } }, async (request) => ({
          bytes: (request.body as Buffer).length,
        }))
        routes.post('/name', { schema: { body: Type.String() } }, async () => ({ ok: true }))
      },
    })
    await app.ready()
  })

  afterAll(() => app.close())

  it('hands a binary body (format binary) to the route as bytes, unvalidated', async () => {
    for (const url of ['/upload', '/text']) {
      const reply = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'image/png' },
        payload: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]),
      })
      expect(reply.statusCode, reply.body).toBe(200)
      expect(reply.json()).toEqual({ bytes: 7 })
    }
  })

  it("still validates the route's other parts, and string bodies", async () => {
    const query = await app.inject({
      method: 'POST',
      url: '/upload?alt=too%20long',
      headers: { 'content-type': 'image/png' },
      payload: Buffer.from([1]),
    })
    expect(query.statusCode).toBe(400)
    expect(query.json().errors).toEqual([expect.objectContaining({ path: '/querystring/alt' })])
    const number = await app.inject({ method: 'POST', url: '/name', payload: { a: 1 } })
    expect(number.statusCode).toBe(400)
  })
})
