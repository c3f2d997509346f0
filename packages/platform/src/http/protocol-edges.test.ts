import type { AddressInfo } from 'node:net'
import { Duplex } from 'node:stream'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createMetricsRegistry } from '../metrics.js'
import { rawRequest, type RawAnswer } from '../testing/raw-http.js'
import { createClientErrorHandler } from './protocol-errors.js'
import { createHttpServer, type HttpServer } from './server.js'

const log = pino({ level: 'silent' })
let server: HttpServer
let url: string

beforeAll(async () => {
  server = createHttpServer({
    service: 'edges',
    log,
    registry: createMetricsRegistry('edges', { processMetrics: false }),
    routes: async (app) => {
      app.post('/items', async (request) => ({ got: request.body }))
      app.get('/items/:id', async () => ({ ok: true }))
    },
  })
  await server.listen({ port: 0, host: '127.0.0.1' })
  url = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await server.close()
})

/** A problem document as RFC 9457 says, with our stable code. */
function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect(answer.error).toBeUndefined()
  expect(answer.status).toBe(status)
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/)
  const problem = JSON.parse(answer.body) as Record<string, unknown>
  expect(problem).toMatchObject({ status, code })
  for (const field of ['type', 'title', 'detail']) expect(typeof problem[field]).toBe('string')
  return problem
}

const MiB = 1024 * 1024
const post = (framing: string) =>
  `POST /items HTTP/1.1\r\nhost: edges\r\ncontent-type: application/json\r\n${framing}\r\n\r\n`

/** An upload over the 1 MiB limit: declared (content-length) or discovered (chunked). */
function oversize(size: number, chunked: boolean) {
  const head = post(chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`)
  return rawRequest(url, head, { size, chunked })
}

describe('a body over the limit', () => {
  it('is answered 413 every time, the whole upload read, never a reset (30 in a row)', async () => {
    for (let i = 0; i < 30; i++) {
      const size = (2 + (i % 7)) * MiB
      const answer = await oversize(size, i % 2 === 1)
      expectProblem(answer, 413, 'HTTP.PAYLOAD_TOO_LARGE')
      expect(answer.written).toBe(size)
    }
  })

  it('is answered 413 to concurrent uploads too', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => oversize((2 + i) * MiB, i % 2 === 0)),
    )
    for (const answer of answers) expectProblem(answer, 413, 'HTTP.PAYLOAD_TOO_LARGE')
  })

  it('leaves the connection usable when the client sent the whole declared body', async () => {
    const body = Buffer.alloc(2 * MiB, 'a')
    const head = post(`content-length: ${body.length}`)
    const next = 'GET /items/1 HTTP/1.1\r\nhost: edges\r\n\r\n'
    // The 413 is followed by `connection: close` (fastify's choice after a body error); what
    // matters is that the second request on the wire does not reset the first answer.
    const answer = await rawRequest(url, head + body.toString() + next)
    expectProblem(answer, 413, 'HTTP.PAYLOAD_TOO_LARGE')
  })
})

describe('errors answered before any handler', () => {
  const cases: Array<[string, string, number, string]> = [
    [
      'headers too large',
      `GET / HTTP/1.1\r\nhost: e\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HTTP.HEADERS_TOO_LARGE',
    ],
    [
      'URI too long',
      `GET /${'a'.repeat(20_000)} HTTP/1.1\r\nhost: e\r\n\r\n`,
      414,
      'HTTP.URI_TOO_LONG',
    ],
    [
      'a URI over 8 KiB',
      `GET /items/1?q=${'a'.repeat(10_000)} HTTP/1.1\r\nhost: e\r\n\r\n`,
      414,
      'HTTP.URI_TOO_LONG',
    ],
    [
      'a parameter too long',
      `GET /items/${'a'.repeat(500)} HTTP/1.1\r\nhost: e\r\n\r\n`,
      414,
      'HTTP.URI_TOO_LONG',
    ],
    ['an unknown method', 'FOO / HTTP/1.1\r\nhost: e\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    ['a garbage request line', 'garbage\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    ['HTTP/1.2', 'GET / HTTP/1.2\r\nhost: e\r\n\r\n', 400, 'HTTP.VERSION_NOT_SUPPORTED'],
    ['HTTP/2.0 as text', 'GET / HTTP/2.0\r\nhost: e\r\n\r\n', 400, 'HTTP.VERSION_NOT_SUPPORTED'],
    ['HTTP/0.9', 'GET /\r\n\r\n', 400, 'HTTP.VERSION_NOT_SUPPORTED'],
    ['no Host in HTTP/1.1', 'GET /items/1 HTTP/1.1\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    [
      'both content-length and chunked',
      `${post('content-length: 2\r\ntransfer-encoding: chunked')}{}`,
      400,
      'HTTP.BAD_REQUEST',
    ],
    ['a bad header name', 'GET / HTTP/1.1\r\nhost: e\r\nba d: x\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    [
      'an unknown expectation',
      'GET / HTTP/1.1\r\nhost: e\r\nexpect: magic\r\n\r\n',
      417,
      'HTTP.EXPECTATION_FAILED',
    ],
    [
      'CONNECT',
      'CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n',
      405,
      'HTTP.METHOD_NOT_ALLOWED',
    ],
    ['a bad URL encoding', 'GET /items/%E0%A4%A HTTP/1.1\r\nhost: e\r\n\r\n', 400, 'HTTP.BAD_URL'],
    [
      'an unsupported media type',
      `${post('content-length: 2').replace('application/json', 'text/x-nope')}{}`,
      415,
      'HTTP.UNSUPPORTED_MEDIA_TYPE',
    ],
    ['an unknown path', 'GET /nowhere HTTP/1.1\r\nhost: e\r\n\r\n', 404, 'HTTP.NOT_FOUND'],
    [
      'a method a path does not have',
      'DELETE /items HTTP/1.1\r\nhost: e\r\n\r\n',
      404,
      'HTTP.NOT_FOUND',
    ],
    [
      'a known but unrouted method',
      'PROPFIND /items HTTP/1.1\r\nhost: e\r\n\r\n',
      404,
      'HTTP.NOT_FOUND',
    ],
  ]
  it.each(cases)('%s is a problem document', async (_name, head, status, code) => {
    expectProblem(await rawRequest(url, head), status, code)
  })
})

describe('the client error handler', () => {
  // The server's 30 s request timeout is too long to wait for here: the handler is given the
  // error node raises, on a socket of its own.
  it('answers a request that took too long with a 408 problem and closes', async () => {
    const written: Buffer[] = []
    const socket = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk)
        callback()
      },
    })
    const timeout = Object.assign(new Error('Request timeout'), {
      code: 'ERR_HTTP_REQUEST_TIMEOUT',
    })
    createClientErrorHandler(log)(timeout, socket)
    await new Promise((resolve) => socket.once('finish', resolve))
    const text = Buffer.concat(written).toString()
    expect(text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/)
    expect(text).toMatch(/\r\nconnection: close\r\n/)
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>
    expect(body).toMatchObject({ status: 408, code: 'HTTP.REQUEST_TIMEOUT' })
    socket.destroy()
  })
})
