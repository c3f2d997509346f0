import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { gzipSync } from 'node:zlib'
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'

/** A local HTTP server that can be stopped and started again on the same port. */
export interface FakeServer {
  url: string
  port: number
  stop(): Promise<void>
  start(): Promise<void>
}

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
  port = 0,
): Promise<FakeServer> {
  let server: Server
  const sockets = new Set<import('node:net').Socket>()
  const listen = async (at: number) => {
    server = createServer((req, res) => {
      Promise.resolve(handler(req, res)).catch(() => res.destroy())
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve) => server.listen(at, '127.0.0.1', resolve))
    return (server.address() as AddressInfo).port
  }
  const bound = await listen(port)
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
    async start() {
      await listen(bound)
    },
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function json(res: ServerResponse, status: number, body: unknown, type = 'application/json') {
  res.writeHead(status, { 'content-type': type })
  res.end(JSON.stringify(body))
}

const problem = (status: number, code: string, detail: string) => ({
  type: `https://emporium.dev/problems/${code.toLowerCase()}`,
  title: 'Error',
  status,
  detail,
  code,
})

/** The items of the echo upstream's `large` answer: about 3 kB of JSON. */
export const largeItems = Array.from({ length: 100 }, (_, i) => ({ id: `p-${i}`, name: 'A thing' }))

/** What an echo upstream received. */
export interface Echo {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  bodyLength: number
  bodySha256: string
  body: string
}

/**
 * An upstream that echoes what it received, and behaves by the last path segment: `slow`
 * answers after 2 s, `boom` is a 500 with a stack trace in text, `problem` a 500 problem
 * document, `missing` a 404 problem, `cut` half its body before the connection ends,
 * `unavailable` a 503, `events` a slow event stream
 * (the first event at once, the other four once `releaseEvents()` is called, or after 20 s),
 * `large` a JSON answer of about 3 kB, `gzipped` the same gzip-encoded as the upstream sends it.
 * `GET /openapi.json` serves `document` when set.
 */
export async function startEchoUpstream(
  options: { name?: string; document?: Record<string, unknown> } = {},
) {
  const received: Echo[] = []
  const events = { ended: false, release: () => {} }
  const server = await serve(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!
    const last = path.split('/').pop()
    if (path === '/openapi.json') {
      if (options.document) return json(res, 200, options.document)
      return json(res, 404, problem(404, 'HTTP.NOT_FOUND', 'none'), 'application/problem+json')
    }
    const body = await readBody(req)
    const echo: Echo = {
      method: req.method!,
      url: req.url!,
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      body: body.length <= 4096 ? body.toString('utf8') : '',
    }
    received.push(echo)
    if (last === 'slow') await delay(2_000)
    if (last === 'boom') {
      res.writeHead(500, { 'content-type': 'text/plain', 'x-debug-sql': 'SELECT * FROM users' })
      return res.end('Error: SELECT password FROM users\n    at /srv/app/src/db.ts:12')
    }
    if (last === 'problem') {
      return json(
        res,
        500,
        problem(500, 'INTERNAL', 'An unexpected error occurred.'),
        'application/problem+json',
      )
    }
    if (last === 'missing') {
      return json(
        res,
        404,
        problem(404, 'CATALOG.NOT_FOUND', 'No such product.'),
        'application/problem+json',
      )
    }
    if (last === 'cut') {
      // Half the announced body, then the connection is gone.
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"partial":"')
      await delay(20)
      return res.destroy()
    }
    if (last === 'unavailable') {
      res.writeHead(503, { 'content-type': 'text/html' })
      return res.end('<h1>nginx 503</h1>')
    }
    if (last === 'events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      events.ended = false
      const released = new Promise<void>((resolve) => (events.release = resolve))
      for (let i = 1; i <= 5; i++) {
        res.write(`id: ${i}\nevent: status\ndata: {"n":${i},"at":${Date.now()}}\n\n`)
        // A gate, not a clock: the test sees the first event while the stream is still open.
        if (i === 1) await Promise.race([released, delay(20_000)])
      }
      events.ended = true
      return res.end()
    }
    if (last === 'tagged') {
      // As the catalog's cached reads answer: a strong tag, compared weakly (issue 20).
      const tag = '"large-v1"'
      const headers = { etag: tag, 'cache-control': 'public, no-cache', vary: 'authorization' }
      const asked = String(req.headers['if-none-match'] ?? '').replace(/W\//g, '')
      if (asked.split(/\s*,\s*/).includes(tag)) {
        res.writeHead(304, headers)
        return res.end()
      }
      res.writeHead(200, { ...headers, 'content-type': 'application/json; charset=utf-8' })
      return res.end(JSON.stringify({ items: largeItems }))
    }
    if (last === 'large' || last === 'gzipped') {
      const text = JSON.stringify({ items: largeItems })
      if (last === 'large') return json(res, 200, { items: largeItems })
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      return res.end(gzipSync(text))
    }
    json(res, 200, { upstream: options.name ?? 'echo', ...echo })
  })
  return {
    ...server,
    received,
    /** Lets an open event stream send its remaining events and end. */
    releaseEvents: () => events.release(),
    /** Whether the last event stream has sent everything. */
    eventsEnded: () => events.ended,
  }
}

export interface FakeUsers extends FakeServer {
  /** An access token as the users service would sign it; `claims` override the defaults. */
  token(
    claims?: Record<string, unknown>,
    options?: { expiresIn?: string | number },
  ): Promise<string>
  /** The same, signed with a key the JWKS does not publish. */
  foreignToken(claims?: Record<string, unknown>): Promise<string>
  jwksFetches: () => number
  logins: Array<{ email: string; ok: boolean }>
  registrations: number
}

/**
 * A users service: publishes an EdDSA key at `/.well-known/jwks.json`; `POST /auth/login`
 * accepts the password `right-password` (else a 401 problem); `POST /auth/register` answers 201;
 * `POST /auth/guest` answers 201 with a guest's cart token (roles ['guest']);
 * everything else echoes what it received.
 */
export async function startFakeUsers(): Promise<FakeUsers> {
  const own = await generateKeyPair('EdDSA', { extractable: true })
  const foreign = await generateKeyPair('EdDSA', { extractable: true })
  const jwk: JWK = { ...(await exportJWK(own.publicKey)), kid: 'key-1', alg: 'EdDSA', use: 'sig' }
  let fetches = 0
  const logins: FakeUsers['logins'] = []
  const state = { registrations: 0 }
  const server = await serve(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]
    const body = await readBody(req)
    if (path === '/.well-known/jwks.json') {
      fetches++
      return json(res, 200, { keys: [jwk] })
    }
    if (path === '/auth/login' && req.method === 'POST') {
      const { email, password } = JSON.parse(body.toString() || '{}') as Record<string, string>
      const ok = password === 'right-password'
      logins.push({ email: email ?? '', ok })
      if (ok) return json(res, 200, { accessToken: 'a', refreshToken: 'r', expiresIn: 900 })
      return json(
        res,
        401,
        problem(401, 'AUTH.INVALID_CREDENTIALS', 'Wrong e-mail or password.'),
        'application/problem+json',
      )
    }
    if (path === '/auth/guest' && req.method === 'POST') {
      const cartToken = await sign(
        own.privateKey,
        { sub: `guest_${randomUUID()}`, roles: ['guest'] },
        '30d',
      )
      return json(res, 201, { cartToken, expiresIn: 2_592_000 })
    }
    if (path === '/auth/register' && req.method === 'POST') {
      state.registrations++
      return json(res, 201, { user: { id: 'u-new' } })
    }
    json(res, 200, { upstream: 'users', method: req.method, url: req.url, headers: req.headers })
  })
  const sign = (key: CryptoKey, claims: Record<string, unknown>, expiresIn: string | number) =>
    new SignJWT({
      sub: 'user-1',
      iss: 'emporium-users',
      aud: 'emporium',
      jti: `t-${Math.random().toString(36).slice(2)}`,
      roles: ['customer'],
      ...claims,
    })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'key-1' })
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(key)
  return {
    ...server,
    token: (claims = {}, options = {}) => sign(own.privateKey, claims, options.expiresIn ?? '15m'),
    foreignToken: (claims = {}) => sign(foreign.privateKey, claims, '15m'),
    jwksFetches: () => fetches,
    logins,
    get registrations() {
      return state.registrations
    },
  }
}

/**
 * An upstream that is down yet keeps its port (no other server of the run can take it, as one can
 * a closed port): it resets every connection.
 */
export async function startResettingUpstream(): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createNetServer((socket) => socket.resetAndDestroy())
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

export { closedPort } from '@emporium/platform/testing'
