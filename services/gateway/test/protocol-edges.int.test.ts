import { setupTracing } from '@emporium/platform'
import { rawRequest, type RawAnswer } from '@emporium/platform/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEchoUpstream, startFakeUsers, type FakeUsers } from './fake-upstreams.js'
import { bearer, call, startGateway, type TestGateway } from './gateway-harness.js'

type Echoer = Awaited<ReturnType<typeof startEchoUpstream>>
let users: FakeUsers
let cart: Echoer
let gateway: TestGateway
let token: string

/** Spans the gateway ends, with their links (captured from the process-wide tracer). */
const ended: Array<{ traceId: string; links: string[]; kind: number }> = []
setupTracing({
  spanProcessors: [
    {
      onStart() {},
      onEnd(span) {
        ended.push({
          traceId: span.spanContext().traceId,
          links: span.links.map((link) => link.context.traceId),
          kind: span.kind,
        })
      },
      forceFlush: async () => {},
      shutdown: async () => {},
    },
  ],
})

beforeAll(async () => {
  ;[users, cart] = await Promise.all([startFakeUsers(), startEchoUpstream({ name: 'cart' })])
  gateway = await startGateway({
    GATEWAY_USERS_URLS: users.url,
    GATEWAY_CART_URLS: cart.url,
    GATEWAY_RATE_LIMIT_PER_MINUTE: 10_000,
  })
  token = await users.token()
})

afterAll(async () => {
  await gateway?.stop()
  await Promise.all([users, cart].map((s) => s?.stop()))
})

function expectProblem(answer: RawAnswer, status: number, code: string) {
  expect(answer.error).toBeUndefined()
  expect(answer.status).toBe(status)
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json(;|$)/)
  const problem = JSON.parse(answer.body) as Record<string, unknown>
  expect(problem).toMatchObject({ status, code })
  for (const field of ['type', 'title', 'detail']) expect(typeof problem[field]).toBe('string')
}

const MiB = 1024 * 1024

/** An upload to a proxied route, over the gateway's 1 MiB limit. */
function oversize(size: number, chunked: boolean, authorized = true) {
  const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${size}`
  const auth = authorized ? `authorization: Bearer ${token}\r\n` : ''
  const head =
    `POST /api/v1/cart/items HTTP/1.1\r\nhost: shop\r\n${auth}` +
    `content-type: application/json\r\n${framing}\r\n\r\n`
  return rawRequest(gateway.url, head, { size, chunked })
}

describe('a body over the gateway’s limit', () => {
  it('is answered 413 every time, declared or streamed, never a reset (30 in a row)', async () => {
    for (let i = 0; i < 30; i++) {
      const size = (2 + (i % 7)) * MiB
      const answer = await oversize(size, i % 2 === 0)
      expectProblem(answer, 413, 'HTTP.PAYLOAD_TOO_LARGE')
      expect(answer.written).toBe(size)
    }
  })

  it('is answered 413 to concurrent uploads', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => oversize((2 + i) * MiB, i % 2 === 1)),
    )
    for (const answer of answers) expectProblem(answer, 413, 'HTTP.PAYLOAD_TOO_LARGE')
  })

  it('lets a 401 refused before the body was read arrive whole too', async () => {
    for (let i = 0; i < 6; i++) {
      expectProblem(await oversize(4 * MiB, i % 2 === 0, false), 401, 'AUTH.MISSING_TOKEN')
    }
  })
})

describe('errors answered before any route', () => {
  const cases: Array<[string, string, number, string]> = [
    [
      'headers too large',
      `GET /api/v1/products HTTP/1.1\r\nhost: e\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'HTTP.HEADERS_TOO_LARGE',
    ],
    [
      'URI too long',
      `GET /api/v1/products?q=${'a'.repeat(20_000)} HTTP/1.1\r\nhost: e\r\n\r\n`,
      414,
      'HTTP.URI_TOO_LONG',
    ],
    ['a bad request line', 'GET  HTTP/1.1\r\nhost: e\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    ['an unknown method', 'BREW /api/v1 HTTP/1.1\r\nhost: e\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    ['HTTP/3.0', 'GET /api/v1 HTTP/3.0\r\nhost: e\r\n\r\n', 400, 'HTTP.VERSION_NOT_SUPPORTED'],
    ['HTTP/2.0', 'GET /api/v1 HTTP/2.0\r\nhost: e\r\n\r\n', 400, 'HTTP.VERSION_NOT_SUPPORTED'],
    ['no Host', 'GET /api/v1 HTTP/1.1\r\n\r\n', 400, 'HTTP.BAD_REQUEST'],
    ['a bad URL', 'GET /api/v1/products/%E0%A4%A HTTP/1.1\r\nhost: e\r\n\r\n', 400, 'HTTP.BAD_URL'],
    [
      'a path no rule knows',
      'GET /api/v1/nowhere HTTP/1.1\r\nhost: e\r\n\r\n',
      404,
      'HTTP.NOT_FOUND',
    ],
    ['CONNECT', 'CONNECT e:443 HTTP/1.1\r\nhost: e:443\r\n\r\n', 405, 'HTTP.METHOD_NOT_ALLOWED'],
  ]
  it.each(cases)('%s is a problem document', async (_name, head, status, code) => {
    expectProblem(await rawRequest(gateway.url, head), status, code)
  })
})

describe('trace context from clients', () => {
  it('starts a new trace for a client’s traceparent and keeps the client’s as a link', async () => {
    const clientTrace = '0af7651916cd43dd8448eb211c80319c'
    const answer = await call(`${gateway.url}/api/v1/cart`, {
      headers: { ...bearer(token), traceparent: `00-${clientTrace}-b7ad6b7169203331-01` },
    })
    expect(answer.status).toBe(200)
    const sent = String(cart.received.at(-1)?.headers.traceparent)
    expect(sent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/)
    const upstreamTrace = sent.split('-')[1]
    expect(upstreamTrace).not.toBe(clientTrace)
    const server = ended.find((span) => span.links.includes(clientTrace))
    expect(server?.traceId).toBe(upstreamTrace)
  })

  it('starts a trace of its own without one, and ignores a malformed one', async () => {
    for (const traceparent of [
      undefined,
      '00-zz-yy-01',
      `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`,
    ]) {
      const headers = { ...bearer(token), ...(traceparent ? { traceparent } : {}) }
      expect((await call(`${gateway.url}/api/v1/cart`, { headers })).status).toBe(200)
      expect(String(cart.received.at(-1)?.headers.traceparent)).toMatch(/^00-[0-9a-f]{32}-/)
    }
  })
})
