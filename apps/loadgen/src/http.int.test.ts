import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createHttp, newThrottle, type Send } from './http.js'
import { createRecorder } from './stats.js'

// The client against a small local server that rate-limits like the gateway: how it honours
// retry-after, probes the quota with one request, gives up beyond its patience, names failures.
describe('createHttp', () => {
  let server: Server
  let origin: string
  let openAt = 0
  let retryAfter = '1'
  const arrivals: Array<{ at: number; done?: number }> = []

  beforeAll(async () => {
    server = createServer((request, response) => {
      if (request.url === '/api/v1/products/slow') return // never answers
      if (request.url?.startsWith('/api/v1/orders/')) {
        response.writeHead(200, { 'content-type': 'text/event-stream' })
        const frame = (status: string) => `event: status\ndata: {"status":"${status}"}\n\n`
        response.write(frame('pending'))
        // `ends`: the server ends the stream after the outcome; `open`: it goes on.
        // (a moment after its last event, as the end may come in a packet of its own).
        response.write(frame('confirmed'))
        if (request.url.includes('/ends/')) setTimeout(() => response.end(), 50)
        return
      }
      if (Date.now() < openAt) {
        response.writeHead(429, { 'retry-after': retryAfter, 'content-type': 'application/json' })
        response.end(JSON.stringify({ code: 'RATE_LIMIT.EXCEEDED', status: 429 }))
        return
      }
      const entry: { at: number; done?: number } = { at: Date.now() }
      arrivals.push(entry)
      setTimeout(() => {
        entry.done = Date.now()
        response.writeHead(200, { 'content-type': 'application/json' })
        response.end('{"ok":true}')
      }, 100)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`
  })
  afterAll(() => new Promise((resolve) => server.close(resolve)))

  // Two operations of the public API, typed by the SDK: one answered, one never.
  const categories: Send<unknown> = (api) => api.GET('/api/v1/categories')
  const slow: Send<unknown> = (api) =>
    api.GET('/api/v1/products/{id}', { params: { path: { id: 'slow' } } })

  const client = (maxRetryWaitMs = 5_000, timeoutMs = 2_000) => {
    const recorder = createRecorder()
    const stop = new AbortController()
    const http = createHttp({
      baseUrl: origin,
      recorder,
      timeoutMs,
      maxRetryWaitMs,
      stop: stop.signal,
    })
    return { http, recorder, stop }
  }

  it('reads a stream to its end after the outcome (its connection kept), or closes it a moment later', async () => {
    const { http, recorder } = client()
    // Sockets the client closed: a stream left mid-way costs its connection.
    let closed = 0
    const onConnection = (socket: Socket) => socket.on('close', () => closed++)
    server.on('connection', onConnection)
    try {
      const confirmed = (event: { data: string }) => event.data.includes('confirmed')
      const follow = (id: string) =>
        http.stream(
          'orders.stream',
          (api) =>
            api.GET('/api/v1/orders/{id}/events', {
              params: { path: { id } },
              parseAs: 'stream',
            }),
          {},
          10_000,
          confirmed,
        )
      expect(await follow('ends')).toBe('done')
      expect(await follow('ends')).toBe('done')
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(closed).toBe(0)
      const started = Date.now()
      expect(await follow('open')).toBe('done')
      expect(Date.now() - started).toBeLessThan(5_000) // not the 10 s deadline
      await vi.waitFor(() => expect(closed).toBe(1))
      expect(recorder.totals()).toMatchObject({ requests: 3, errors: 0 })
    } finally {
      server.off('connection', onConnection)
    }
  })

  it('waits out retry-after, then lets one request probe the quota before the others', async () => {
    const { http, recorder } = client()
    const throttle = newThrottle()
    arrivals.length = 0
    openAt = Date.now() + 1_000
    retryAfter = '1'
    const first = http.call('op', categories, { throttle })
    await new Promise((r) => setTimeout(r, 200)) // the first one has been refused by now
    expect(throttle.until).toBeGreaterThan(Date.now())
    const rest = Array.from({ length: 5 }, () => http.call('op', categories, { throttle }))
    const results = await Promise.all([first, ...rest])
    expect(results.every((r) => r.answered && r.status === 200)).toBe(true)
    expect(recorder.totals()).toEqual({ requests: 7, errors: 0, throttled: 1, expected: 0 })
    expect(arrivals).toHaveLength(6)
    const [probe, ...others] = arrivals.sort((a, b) => a.at - b.at)
    expect(probe!.at).toBeGreaterThanOrEqual(openAt)
    for (const other of others) expect(other.at).toBeGreaterThanOrEqual(probe!.done!)
  })

  it('gives up without sending when retry-after is beyond its patience', async () => {
    const { http, recorder } = client(500)
    const throttle = newThrottle()
    openAt = Date.now() + 60_000
    retryAfter = '60'
    const refused = await http.call('op', categories, { throttle })
    expect(refused).toEqual({ answered: false, outcome: { kind: 'throttled' } })
    expect(throttle.until).toBeGreaterThan(Date.now() + 50_000)
    const skipped = await http.call('op', categories, { throttle })
    expect(skipped).toEqual({ answered: false, outcome: { kind: 'throttled' } })
    expect(recorder.totals()).toMatchObject({ requests: 1, throttled: 1, errors: 0 })
    openAt = 0
  })

  it('counts timeouts and refused connections as errors by kind, and the hard stop as neither', async () => {
    const { http, recorder, stop } = client(1_000, 300)
    const late = await http.call('op', slow)
    expect(late).toEqual({ answered: false, outcome: { kind: 'error', error: 'timeout' } })
    // A port nothing listens on any more (port 1 would be refused by fetch itself: a bad port).
    const gone = createServer()
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve))
    const { port } = gone.address() as { port: number }
    await new Promise((resolve) => gone.close(resolve))
    const elsewhere = createHttp({
      baseUrl: `http://127.0.0.1:${port}`,
      recorder,
      timeoutMs: 1_000,
      maxRetryWaitMs: 0,
      stop: stop.signal,
    })
    const refused = await elsewhere.call('op', categories)
    expect(refused).toEqual({
      answered: false,
      outcome: { kind: 'error', error: 'network ECONNREFUSED' },
    })
    const pending = http.call('op', slow)
    stop.abort()
    expect(await pending).toEqual({ answered: false, outcome: { kind: 'aborted' } })
    expect(recorder.errorsByKind()).toEqual({ timeout: 1, 'network ECONNREFUSED': 1 })
  })
})
