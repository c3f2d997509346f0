import { Counter, type Registry } from 'prom-client'
import { Agent } from 'undici'
import { serviceAuthorizationHeader, type ServiceCredentials } from '../auth/service-credentials.js'
import { currentContext } from '../context.js'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { injectTraceHeaders, withSpan } from '../tracing.js'
import {
  AttemptTimeout,
  NetworkFailure,
  ServerFailure,
  createClientPolicies,
  toUpstreamError,
  type Outcome,
} from './client-policy.js'
import { registered } from './request-metrics.js'
import {
  defaultBreakerSettings,
  isInfrastructureStatus,
  isShedAnswer,
  retryAfterOf,
  type BreakerSettings,
} from './upstream-breaker.js'
import { shedHeader } from './admission.js'

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'OPTIONS' | 'POST' | 'PATCH'

/** Methods whose repetition has no further effect: only these are retried. */
const idempotent = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS'])

type QueryValue = string | number | boolean | undefined
export interface ServiceRequest {
  method: HttpMethod
  /** Path under the base URL, starting with `/`. */
  path: string
  query?: Record<string, QueryValue | QueryValue[]>
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  /** The caller's cancellation, e.g. the incoming request's `request.signal`. */
  signal?: AbortSignal
  /**
   * How long the call may take in all, waits for `retry-after` included (default: the client's
   * `timeoutMs`). A shed answer is retried only when its wait fits what is left of it.
   */
  budgetMs?: number
}

export interface ServiceResponse<T> {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, the text of another media type, or undefined when empty. */
  body: T
}

export interface ServiceClient {
  /**
   * Resolves with any answer below 500 (a 4xx is the caller's to interpret). Throws AppError
   * `UPSTREAM.TIMEOUT` (504) when no answer came in time, `UPSTREAM.UNAVAILABLE` (503) for a
   * 502-504, an unreachable upstream, or an open circuit (then with `retryAfterSeconds`), and
   * `UPSTREAM.SERVER_ERROR` (kind `internal`, 500) for any other 5xx: a bug upstream, which is
   * neither retried nor counted against the upstream by the breaker or the instance rotation.
   *
   * `retry-after` is honoured: a 429 or 503 that carries it is retried after that wait when the
   * wait fits the call's budget (`budgetMs`), at most twice, and only when repeating it is safe:
   * an idempotent method, or an answer shed by admission control (`x-emporium-shed: admission`:
   * the upstream never started the request). Otherwise a shed 503 is thrown as AppError
   * `UPSTREAM.OVERLOADED` (503, with `retryAfterSeconds`, passed on as shed so that our own answer
   * carries `retry-after` and callers do not count it as an outage either); an unmarked 503 as
   * `UPSTREAM.UNAVAILABLE` with its `retryAfterSeconds`; a 429 is returned (the caller's to read).
   * Shed answers never count against the upstream (breaker, rotation).
   */
  request<T = unknown>(request: ServiceRequest): Promise<ServiceResponse<T>>
  close(): Promise<void>
}

export interface ServiceClientOptions {
  /** The upstream's name: the `upstream` label of the metrics and the subject of errors. */
  name: string
  /** Instances of the upstream, used in turn (a retry goes to the next one). */
  baseUrls: string[]
  registry: Registry
  log: Logger
  /** Per attempt, from sending to the whole body received. */
  timeoutMs?: number
  /** Further attempts of an idempotent request after a transient failure. */
  retries?: number
  backoff?: { initialDelayMs?: number; maxDelayMs?: number }
  /**
   * When the upstream is judged down (see BreakerSettings): by default over half of at least 20
   * calls in 10 s failed for want of an answer or with 502-504; open for 10 s.
   */
  breaker?: Partial<BreakerSettings>
  /** Keep-alive connections per instance. */
  connections?: number
  /**
   * With several instances, one that gave no answer (refused, reset, timed out) or a 502-504 is
   * left out of the rotation for this long, so its siblings take its calls. Default 5,000 ms.
   */
  ejectForMs?: number
  /**
   * This service's credentials: every call then carries `x-service-authorization` for the
   * audience `audience` (default `name`), as the upstream's internal routes require.
   */
  credentials?: Pick<ServiceCredentials, 'authorization'>
  audience?: string
}

/**
 * A client for another service's API: a timeout on every attempt, retries with jittered
 * exponential backoff for idempotent methods on transient failures only, a circuit breaker per
 * upstream, and the work and trace context (`x-request-id`, `x-correlation-id`, `traceparent`)
 * passed on so the upstream's logs and spans join the caller's.
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const { name, registry, log } = options
  if (options.baseUrls.length === 0) throw new Error(`${name}: no base URL`)
  const bases = options.baseUrls.map((raw) => {
    const url = new URL(raw)
    return { origin: url.origin, prefix: url.pathname.replace(/\/$/, '') }
  })
  const timeoutMs = options.timeoutMs ?? 2_000
  const agent = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 10_000 })
  const policies = createClientPolicies({
    upstream: name,
    registry,
    log,
    retries: options.retries ?? 2,
    backoff: {
      initialDelayMs: options.backoff?.initialDelayMs ?? 50,
      maxDelayMs: options.backoff?.maxDelayMs ?? 1_000,
    },
    breaker: { ...defaultBreakerSettings, ...options.breaker },
  })
  const calls = registered(
    registry,
    'http_client_requests_total',
    () =>
      new Counter({
        name: 'http_client_requests_total',
        help: 'Outbound HTTP calls (after retries), by upstream, method and outcome',
        labelNames: ['upstream', 'method', 'outcome'],
        registers: [registry],
      }),
  )
  const bugs = registered(
    registry,
    'http_client_upstream_bugs_total',
    () =>
      new Counter({
        name: 'http_client_upstream_bugs_total',
        help: 'Answers 500 (any 5xx but 502-504) from an upstream: bugs there, not outages',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  )
  let turn = 0
  // One dead or hung replica must not take its service down for us: it is taken out of the
  // rotation for a while (the breaker, shared by the instances, then sees only the healthy ones
  // answer), and tried again afterwards. When every instance is out, they are used in turn.
  const ejectForMs = options.ejectForMs ?? 5_000
  const ejectedUntil = bases.map(() => 0)
  function pick(): number {
    const now = Date.now()
    for (let i = 0; i < bases.length; i++) {
      const index = turn++ % bases.length
      if (ejectedUntil[index]! <= now) return index
    }
    return turn++ % bases.length
  }
  function eject(index: number, error: unknown): void {
    if (bases.length < 2 || !isInstanceFault(error)) return
    if (ejectedUntil[index]! <= Date.now()) {
      log.warn(
        { upstream: name, instance: bases[index]!.origin, err: error, forMs: ejectForMs },
        'instance left out of the rotation',
      )
    }
    ejectedUntil[index] = Date.now() + ejectForMs
  }

  /** A 5xx other than 502-504: counted and logged as the upstream's bug, a 500 for our caller. */
  function upstreamBug(request: ServiceRequest, status: number): AppError {
    bugs.inc({ upstream: name })
    log.error(
      { upstream: name, method: request.method, path: request.path, status },
      'upstream answered with a server error: a bug there, not an outage',
    )
    return new AppError('internal', 'UPSTREAM.SERVER_ERROR', `${name} answered ${status}`, {
      details: { upstream: name, reason: 'server_error', status },
    })
  }

  async function attempt<T>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const index = pick()
    const base = bases[index]!
    const path = base.prefix + request.path + queryString(request.query)
    const attributes = {
      'http.request.method': request.method,
      'server.address': base.origin,
      'url.path': request.path,
      'emporium.upstream': name,
    }
    return withSpan(
      `${request.method} ${name}`,
      attributes,
      async (span) => {
        const timer = new AbortController()
        const timeout = setTimeout(() => timer.abort(new AttemptTimeout(timeoutMs)), timeoutMs)
        const signal = request.signal
          ? AbortSignal.any([timer.signal, request.signal])
          : timer.signal
        try {
          const response = await agent.request({
            origin: base.origin,
            path,
            method: request.method,
            headers: options.credentials
              ? {
                  ...headersFor(request),
                  [serviceAuthorizationHeader]: await options.credentials.authorization(
                    options.audience ?? name,
                  ),
                }
              : headersFor(request),
            body: request.body === undefined ? undefined : JSON.stringify(request.body),
            signal,
          })
          const text = await response.body.text()
          const result: ServiceResponse<T> = {
            status: response.statusCode,
            headers: response.headers,
            body: parseBody(text, response.headers['content-type']) as T,
          }
          span.setAttribute('http.response.status_code', result.status)
          if (isInfrastructureStatus(result.status) && !isShedAnswer(result.status, result.headers))
            throw new ServerFailure(result)
          return result
        } catch (error) {
          const failure = timer.signal.aborted
            ? timer.signal.reason
            : request.signal?.aborted || error instanceof ServerFailure
              ? error
              : new NetworkFailure(error)
          if (!request.signal?.aborted) eject(index, failure)
          throw failure
        } finally {
          clearTimeout(timeout)
        }
      },
      { kind: 'client' },
    )
  }

  const sheds = registered(
    registry,
    'http_client_shed_total',
    () =>
      new Counter({
        name: 'http_client_shed_total',
        help: 'Answers 429/503 with retry-after from an upstream, by upstream and what we did',
        labelNames: ['upstream', 'action'],
        registers: [registry],
      }),
  )

  /** Seconds to wait before repeating the call, when its answer asks for it and a repeat is safe. */
  function waitFor(
    request: ServiceRequest,
    response: ServiceResponse<unknown>,
  ): number | undefined {
    if (response.status !== 429 && response.status !== 503) return undefined
    const seconds = retryAfterOf(response.headers)
    if (seconds === undefined) return undefined
    const notStarted = response.headers[shedHeader] === 'admission'
    return idempotent.has(request.method) || notStarted ? seconds : undefined
  }

  function overloaded(response: ServiceResponse<unknown>): AppError {
    return new AppError(
      'unavailable',
      'UPSTREAM.OVERLOADED',
      `${name} is busy; try again shortly`,
      {
        details: {
          upstream: name,
          reason: 'shed',
          retryAfterSeconds: Math.max(1, retryAfterOf(response.headers) ?? 1),
          shed: 'upstream',
        },
      },
    )
  }

  return {
    async request<T>(request: ServiceRequest): Promise<ServiceResponse<T>> {
      const started = Date.now()
      const budgetMs = request.budgetMs ?? timeoutMs
      for (let tries = 1; ; tries++) {
        const response = await once<T>(request)
        const shed = isShedAnswer(response.status, response.headers)
        const seconds = waitFor(request, response)
        if (seconds === undefined && !shed) return response
        if (
          seconds !== undefined &&
          tries <= 2 &&
          Date.now() - started + seconds * 1000 < budgetMs
        ) {
          sheds.inc({ upstream: name, action: 'retried' })
          await sleep(seconds * 1000, request.signal)
          continue
        }
        if (response.status === 429) {
          if (shed) sheds.inc({ upstream: name, action: 'passed_on' })
          return response
        }
        sheds.inc({ upstream: name, action: 'passed_on' })
        throw overloaded(response)
      }
    },
    close: () => agent.close(),
  }

  /** One call through the policies (their retries of infrastructure failures included). */
  async function once<T>(request: ServiceRequest): Promise<ServiceResponse<T>> {
    const policy = idempotent.has(request.method) ? policies.idempotent : policies.unsafe
    let response: ServiceResponse<T>
    try {
      response = await policy.execute(() => attempt<T>(request), request.signal)
    } catch (error) {
      const mapped = toUpstreamError(error, name, policies.retryAfterSeconds)
      calls.inc({ upstream: name, method: request.method, outcome: mapped.outcome })
      throw mapped.error
    }
    const outcome: Outcome = isShedAnswer(response.status, response.headers)
      ? 'shed'
      : response.status >= 500
        ? 'server_error'
        : response.status >= 400
          ? 'client_error'
          : 'success'
    calls.inc({ upstream: name, method: request.method, outcome })
    if (response.status >= 500 && outcome !== 'shed') throw upstreamBug(request, response.status)
    return response
  }
}

/** Waits, or rejects with the caller's abort reason as soon as it aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

/** A failure that says this instance is unwell, not that the request was bad. */
function isInstanceFault(error: unknown): boolean {
  return (
    error instanceof AttemptTimeout ||
    error instanceof NetworkFailure ||
    (error instanceof ServerFailure && isInfrastructureStatus(error.response.status))
  )
}

function headersFor(request: ServiceRequest): Record<string, string> {
  const work = currentContext()
  return {
    accept: 'application/json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(work ? { 'x-request-id': work.requestId, 'x-correlation-id': work.correlationId } : {}),
    ...injectTraceHeaders(),
    ...request.headers,
  }
}

function queryString(query: ServiceRequest['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) params.append(key, String(item))
    }
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined
  if (!String(contentType ?? '').includes('json')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
