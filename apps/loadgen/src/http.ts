import { setMaxListeners } from 'node:events'
import { Agent } from 'undici'
import { classifyAnswer, classifyFailure, retryAfterMs, type Outcome } from './classify.js'
import { createSseParser, type SseEvent } from './sse.js'
import type { Recorder } from './stats.js'
import { acquire, newThrottle, type QuotaNews, type Throttle } from './throttle.js'

export { newThrottle, type Throttle } from './throttle.js'

type Headers = Record<string, string | string[] | undefined>

export interface CallInit {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  body?: unknown
  token?: string
  headers?: Record<string, string>
  /** Statuses that are expected here (a business outcome), not errors. */
  expect?: readonly number[]
  throttle?: Throttle
}

export type CallResult<T> =
  | { answered: true; status: number; body: T; headers: Headers; outcome: Outcome }
  /** No answer: a network error, a timeout, throttled past patience, or the hard stop. */
  | { answered: false; outcome: Outcome }

export interface HttpOptions {
  baseUrl: string
  recorder: Recorder
  timeoutMs: number
  /** Longest `retry-after` honoured by waiting; beyond it the call gives up as throttled. */
  maxRetryWaitMs: number
  /** The hard stop: aborts every request and wait. */
  stop: AbortSignal
  connections?: number
}

/** `http://h:8080`, `http://h:8080/` and `http://h:8080/api/v1` all mean the same API. */
export function apiBase(baseUrl: string): { origin: string; prefix: string } {
  const url = new URL(baseUrl)
  const path = url.pathname.replace(/\/+$/, '')
  return { origin: url.origin, prefix: path.endsWith('/api/v1') ? path : `${path}/api/v1` }
}

const throttledAttempts = 3

/** The public API over one undici agent, every request timed and recorded by operation name. */
export function createHttp(options: HttpOptions) {
  const { recorder, stop, timeoutMs } = options
  // Every request in flight listens to the stop signal.
  setMaxListeners(0, stop)
  const { origin, prefix } = apiBase(options.baseUrl)
  const agent = new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: 10_000,
    connect: { timeout: timeoutMs },
  })
  const anonymous = newThrottle()

  function headersOf(init: CallInit, accept = 'application/json'): Record<string, string> {
    return {
      accept,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      ...init.headers,
    }
  }

  /** What an answer says of the quota: 429 with retry-after, or what remains. */
  function newsOf(status: number, headers: Headers): QuotaNews {
    if (status === 429)
      return { throttled: true, retryAfterMs: retryAfterMs(headers['retry-after']) ?? 1000 }
    const number = (name: string) => {
      const value = headers[name]
      return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined
    }
    return {
      throttled: false,
      remaining: number('ratelimit-remaining'),
      limit: number('ratelimit-limit'),
    }
  }

  async function call<T = unknown>(
    operation: string,
    path: string,
    init: CallInit = {},
  ): Promise<CallResult<T>> {
    const throttle = init.throttle ?? anonymous
    for (let attempt = 1; ; attempt++) {
      const permit = await acquire(throttle, options.maxRetryWaitMs, stop)
      if (!permit)
        return {
          answered: false,
          outcome: stop.aborted ? { kind: 'aborted' } : { kind: 'throttled' },
        }
      const started = performance.now()
      let status: number
      let headers: Headers
      let text: string
      try {
        const response = await agent.request({
          origin,
          path: prefix + path,
          method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
          headers: headersOf(init),
          body: init.body === undefined ? undefined : JSON.stringify(init.body),
          headersTimeout: timeoutMs,
          bodyTimeout: timeoutMs,
          signal: stop,
        })
        status = response.statusCode
        headers = response.headers
        text = await response.body.text()
      } catch (error) {
        permit.settle(undefined)
        const outcome = classifyFailure(error, stop.aborted)
        recorder.record(operation, performance.now() - started, outcome)
        return { answered: false, outcome }
      }
      let body: unknown = text
      try {
        body = text ? JSON.parse(text) : undefined
      } catch {
        // not JSON: keep the text
      }
      // A 503 with retry-after is the platform shedding a burst, as a 429 is its rate limit:
      // throttled, not an error (the scenario repeats it after the wait).
      const outcome: Outcome =
        status === 503 && retryAfterMs(headers['retry-after']) !== undefined
          ? { kind: 'throttled' }
          : classifyAnswer(status, body, init.expect)
      recorder.record(operation, performance.now() - started, outcome)
      const news = newsOf(status, headers)
      permit.settle(news)
      // A 429 comes from the gateway before anything is forwarded: retrying is safe.
      if (news?.throttled && attempt < throttledAttempts) continue
      return { answered: true, status, body: body as T, headers, outcome }
    }
  }

  /**
   * Reads a server-sent event stream until `onEvent` returns true (`done`), the stream ends
   * (`ended`), `deadlineMs` passes (`timeout`) or it fails (`failed`). The operation is
   * recorded once, with the time to the response's headers.
   */
  async function stream(
    operation: string,
    path: string,
    init: CallInit,
    deadlineMs: number,
    onEvent: (event: SseEvent) => boolean,
  ): Promise<'done' | 'ended' | 'timeout' | 'failed'> {
    const throttle = init.throttle ?? anonymous
    const permit = await acquire(throttle, options.maxRetryWaitMs, stop)
    if (!permit) return 'failed'
    const deadline = AbortSignal.timeout(deadlineMs)
    const started = performance.now()
    let headersMs = 0
    let answered = false
    try {
      const response = await agent.request({
        origin,
        path: prefix + path,
        method: 'GET',
        headers: headersOf(init, 'text/event-stream'),
        headersTimeout: timeoutMs,
        bodyTimeout: 0,
        signal: AbortSignal.any([stop, deadline]),
      })
      headersMs = performance.now() - started
      answered = true
      permit.settle(newsOf(response.statusCode, response.headers))
      if (response.statusCode !== 200) {
        const text = await response.body.text()
        let body: unknown = text
        try {
          body = JSON.parse(text)
        } catch {
          // not JSON
        }
        const outcome = classifyAnswer(response.statusCode, body, init.expect)
        recorder.record(operation, headersMs, outcome)
        return 'failed'
      }
      let done = false
      const feed = createSseParser((event) => {
        if (!done && onEvent(event)) done = true
      })
      response.body.setEncoding('utf8')
      for await (const chunk of response.body) {
        feed(chunk as string)
        if (done) break
      }
      if (done) response.body.destroy()
      recorder.record(operation, headersMs, { kind: 'ok' })
      return done ? 'done' : 'ended'
    } catch (error) {
      if (!answered) permit.settle(undefined)
      if (deadline.aborted && !stop.aborted) {
        // Our own deadline for the order: the request itself was fine.
        const outcome: Outcome = answered ? { kind: 'ok' } : { kind: 'error', error: 'timeout' }
        recorder.record(operation, answered ? headersMs : performance.now() - started, outcome)
        return 'timeout'
      }
      const outcome = classifyFailure(error, stop.aborted)
      recorder.record(operation, answered ? headersMs : performance.now() - started, outcome)
      return 'failed'
    }
  }

  return {
    /** The API's base URL (origin and path prefix), e.g. `http://127.0.0.1:8080/api/v1`. */
    target: origin + prefix,
    call,
    stream,
    /** The anonymous (per-address) quota's throttle. */
    anonymous,
    close: () => agent.destroy(),
  }
}
export type Http = ReturnType<typeof createHttp>
