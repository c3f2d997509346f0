import { Counter, type Registry } from 'prom-client'
import { Agent } from 'undici'
import { serviceAuthorizationHeader, type ServiceCredentials } from '../auth/service-credentials.js'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { withSpan } from '../tracing.js'
import {
  AttemptTimeout,
  NetworkFailure,
  ServerFailure,
  createClientPolicies,
  isUpstreamFault,
  toUpstreamError,
  type Outcome,
} from './client-policy.js'
import {
  headersFor,
  idempotent,
  overloaded,
  parseBody,
  queryString,
  sleep,
  waitFor,
  type ServiceRequest,
  type ServiceResponse,
} from './client-request.js'
import { registered } from './request-metrics.js'
import {
  defaultBreakerSettings,
  isInfrastructureStatus,
  isShedAnswer,
  type BreakerSettings,
} from './upstream-breaker.js'
import { createUpstreamPool } from './upstream-pool.js'

export type { HttpMethod, ServiceRequest, ServiceResponse } from './client-request.js'

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
   * An instance that gave no answer (refused, reset, timed out) or a 502-504 is left out of the
   * rotation for this long, so its siblings take its calls; when all are out, the one whose time
   * ends first is tried. Default 5,000 ms. (The platform's upstream pool, as the gateway's.)
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
  const bases = new Map(
    options.baseUrls.map((raw) => {
      const url = new URL(raw)
      return [raw, { origin: url.origin, prefix: url.pathname.replace(/\/$/, '') }]
    }),
  )
  const timeoutMs = options.timeoutMs ?? 2_000
  const agent = new Agent({ connections: options.connections ?? 32, keepAliveTimeout: 10_000 })
  // One dead or hung replica must not take its service down for us: the pool leaves it out of
  // the rotation for a while (the breaker, shared by the instances, then sees only the healthy
  // ones answer), and tries it again afterwards.
  const pool = createUpstreamPool({
    upstream: name,
    instances: options.baseUrls,
    ejectForMs: options.ejectForMs ?? 5_000,
    breaker: { ...defaultBreakerSettings, ...options.breaker },
    isFault: isUpstreamFault,
    metricPrefix: 'http_client',
    registry,
    log,
  })
  const policies = createClientPolicies({
    upstream: name,
    registry,
    retries: options.retries ?? 2,
    backoff: {
      initialDelayMs: options.backoff?.initialDelayMs ?? 50,
      maxDelayMs: options.backoff?.maxDelayMs ?? 1_000,
    },
    breaker: pool.breaker,
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
    const instance = pool.next()!
    const base = bases.get(instance)!
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
          const shed = isShedAnswer(result.status, result.headers)
          if (isInfrastructureStatus(result.status) && !shed) throw new ServerFailure(result)
          // It answered (a shed answer says nothing of its health either way).
          if (!shed) pool.readmit(instance)
          return result
        } catch (error) {
          const failure = timer.signal.aborted
            ? timer.signal.reason
            : request.signal?.aborted || error instanceof ServerFailure
              ? error
              : new NetworkFailure(error)
          if (!request.signal?.aborted && isUpstreamFault(failure)) pool.eject(instance, failure)
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
        throw overloaded(name, response)
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
      const mapped = toUpstreamError(error, pool)
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
