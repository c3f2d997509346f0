import { setMaxListeners } from 'node:events'
import {
  createEmporiumClient,
  readServerSentEvents,
  type CallResult as SdkResult,
  type EmporiumClient,
  type ServerSentEvent,
} from '@emporium/sdk'
import { Agent, fetch, Request } from 'undici'
import { classifyAnswer, classifyFailure, retryAfterMs, type Outcome } from './classify.js'
import type { Recorder } from './stats.js'
import { acquire, newThrottle, type QuotaNews, type Throttle } from './throttle.js'

export { newThrottle, type Throttle } from './throttle.js'

export interface CallInit {
  token?: string
  /** Statuses that are expected here (a business outcome), not errors. */
  expect?: readonly number[]
  throttle?: Throttle
}

/** One typed request of the public API through the client it is given (@emporium/sdk). */
export type Send<T> = (api: EmporiumClient) => Promise<SdkResult<T>>

export type CallResult<T> =
  /** `body`: the answer's JSON (the problem document when it is no 2xx). */
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

/** How long a stream may take to end once its outcome came before it is closed. */
const streamEndGraceMs = 1_000

/**
 * The public API through @emporium/sdk over one undici connection pool, every request timed
 * and recorded by operation name, each shopper's quota respected (throttle.ts).
 */
export function createHttp(options: HttpOptions) {
  const { recorder, stop, timeoutMs } = options
  // Every request in flight listens to the stop signal.
  setMaxListeners(0, stop)
  const { origin, prefix } = apiBase(options.baseUrl)
  // The SDK's paths carry /api/v1 themselves.
  const baseUrl = origin + prefix.slice(0, -'/api/v1'.length)
  // Headers must come within the timeout; a body may not stall past it either, but for a status
  // stream's, which is quiet between changes (calls set their own deadline for the whole answer).
  const agent = new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: 10_000,
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: 0,
  })
  const anonymous = newThrottle()

  /** A client sending as `init` says (its token), aborted by `signal`, over the pool. */
  const clientFor = (init: CallInit, signal: AbortSignal) =>
    createEmporiumClient({
      baseUrl,
      ...(init.token ? { token: init.token } : {}),
      // undici's own fetch (for its dispatcher option) takes undici's Request. Its types and the
      // copy Node's globals are typed with differ in details that do not matter here.
      Request: Request as unknown as typeof globalThis.Request,
      fetch: (request) =>
        fetch(request as unknown as Request, {
          dispatcher: agent,
          signal,
        }) as unknown as Promise<globalThis.Response>,
    })

  /** What an answer says of the quota: 429 with retry-after, or what remains. */
  function newsOf(status: number, headers: Headers): QuotaNews {
    if (status === 429)
      return { throttled: true, retryAfterMs: retryAfterMs(headers.get('retry-after')) ?? 1000 }
    const number = (name: string) => {
      const value = headers.get(name)
      return value !== null && /^\d+$/.test(value) ? Number(value) : undefined
    }
    return {
      throttled: false,
      remaining: number('ratelimit-remaining'),
      limit: number('ratelimit-limit'),
    }
  }

  async function call<T>(
    operation: string,
    send: Send<T>,
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
      let answer: SdkResult<T>
      try {
        answer = await send(
          clientFor(init, AbortSignal.any([stop, AbortSignal.timeout(timeoutMs)])),
        )
      } catch (error) {
        permit.settle(undefined)
        const outcome = classifyFailure(error, stop.aborted)
        recorder.record(operation, performance.now() - started, outcome)
        return { answered: false, outcome }
      }
      const { status, headers } = answer.response
      const body = (answer.response.ok ? answer.data : answer.error) as T
      // A 503 with retry-after is the platform shedding a burst, as a 429 is its rate limit:
      // throttled, not an error (the scenario repeats it after the wait).
      const outcome: Outcome =
        status === 503 && retryAfterMs(headers.get('retry-after')) !== undefined
          ? { kind: 'throttled' }
          : classifyAnswer(status, body, init.expect)
      recorder.record(operation, performance.now() - started, outcome)
      const news = newsOf(status, headers)
      permit.settle(news)
      // A 429 comes from the gateway before anything is forwarded: retrying is safe.
      if (news?.throttled && attempt < throttledAttempts) continue
      return { answered: true, status, body, headers, outcome }
    }
  }

  /**
   * Reads a server-sent event stream (`send` asks for it with `parseAs: 'stream'`) until
   * `onEvent` returns true (`done`), the stream ends (`ended`), `deadlineMs` passes (`timeout`)
   * or it fails (`failed`). The operation is recorded once, with the time to the response.
   */
  async function stream(
    operation: string,
    send: Send<unknown>,
    init: CallInit,
    deadlineMs: number,
    onEvent: (event: ServerSentEvent) => boolean,
  ): Promise<'done' | 'ended' | 'timeout' | 'failed'> {
    const throttle = init.throttle ?? anonymous
    const permit = await acquire(throttle, options.maxRetryWaitMs, stop)
    if (!permit) return 'failed'
    const deadline = AbortSignal.timeout(deadlineMs)
    // Once `onEvent` is done, the stream is read to its end (a server asked to end it there
    // does: its connection is kept), but for a moment only.
    const grace = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const started = performance.now()
    let headersMs = 0
    let answered = false
    let done = false
    try {
      const { response, error } = await send(
        clientFor(init, AbortSignal.any([stop, deadline, grace.signal])),
      )
      headersMs = performance.now() - started
      answered = true
      permit.settle(newsOf(response.status, response.headers))
      if (response.status !== 200) {
        recorder.record(operation, headersMs, classifyAnswer(response.status, error, init.expect))
        return 'failed'
      }
      for await (const event of readServerSentEvents(response)) {
        if (done || !onEvent(event)) continue
        done = true
        timer = setTimeout(() => grace.abort(), streamEndGraceMs)
      }
      recorder.record(operation, headersMs, { kind: 'ok' })
      return done ? 'done' : 'ended'
    } catch (error) {
      if (done && !stop.aborted) {
        // The stream did not end in time (closed by us) or broke after the outcome came.
        recorder.record(operation, headersMs, { kind: 'ok' })
        return 'done'
      }
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
    } finally {
      clearTimeout(timer)
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
