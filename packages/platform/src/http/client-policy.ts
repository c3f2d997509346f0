import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhen,
  retry,
  wrap,
  type IPolicy,
} from 'cockatiel'
import { Counter, Gauge, type Registry } from 'prom-client'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { registered } from './request-metrics.js'

/** An attempt that got no answer in time. */
export class AttemptTimeout extends Error {
  constructor(readonly ms: number) {
    super(`no answer within ${ms} ms`)
    this.name = 'AttemptTimeout'
  }
}

/** An attempt that got no answer at all: refused, reset, DNS. */
export class NetworkFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'NetworkFailure'
  }
}

/** A 5xx answer, thrown inside the policies so the breaker and the retry see it. */
export class ServerFailure<R extends { status: number }> extends Error {
  constructor(readonly response: R) {
    super(`answered ${response.status}`)
    this.name = 'ServerFailure'
  }
}

const retriedStatuses = new Set([502, 503, 504])

// A 500 is a bug upstream that a retry would repeat; 502-504 and lost answers are transient.
const isTransient = (error: Error) =>
  error instanceof AttemptTimeout ||
  error instanceof NetworkFailure ||
  (error instanceof ServerFailure && retriedStatuses.has(error.response.status))

// 4xx answers are the caller's business, never thrown, so they never open the circuit.
const isUpstreamFault = (error: Error) =>
  error instanceof AttemptTimeout ||
  error instanceof NetworkFailure ||
  error instanceof ServerFailure

// The gauge's values, by cockatiel's state (whose own numbering puts open before half-open).
const stateValue: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
}

export interface PolicyOptions {
  upstream: string
  registry: Registry
  log: Logger
  retries: number
  backoff: { initialDelayMs: number; maxDelayMs: number }
  breaker: { consecutiveFailures: number; halfOpenAfterMs: number }
}

export interface ClientPolicies {
  /** Retries transient failures, inside the breaker (each attempt counts for it). */
  idempotent: IPolicy
  /** The breaker alone: an unsafe request may have had its effect even when no answer came. */
  unsafe: IPolicy
  /** Seconds until the open circuit lets a trial call through. */
  retryAfterSeconds(): number
}

/** The circuit breaker and retry policies of one upstream, with their metrics. */
export function createClientPolicies(options: PolicyOptions): ClientPolicies {
  const { upstream, registry, log } = options
  const gauge = registered(
    registry,
    'http_client_breaker_state',
    () =>
      new Gauge({
        name: 'http_client_breaker_state',
        help: 'Circuit breaker of an upstream: 0 closed, 1 half-open, 2 open',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  )
  const retries = registered(
    registry,
    'http_client_retries_total',
    () =>
      new Counter({
        name: 'http_client_retries_total',
        help: 'Outbound HTTP attempts repeated after a transient failure, by upstream',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  )

  const breaker = circuitBreaker(handleWhen(isUpstreamFault), {
    halfOpenAfter: options.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breaker.consecutiveFailures),
  })
  let openedAt = 0
  gauge.set({ upstream }, 0)
  breaker.onBreak(() => {
    openedAt = Date.now()
  })
  breaker.onStateChange((state) => {
    gauge.set({ upstream }, stateValue[state])
    const level = state === CircuitState.Closed ? 'info' : 'warn'
    log[level]({ upstream, state: CircuitState[state] }, 'circuit breaker changed state')
  })

  const retryPolicy = retry(handleWhen(isTransient), {
    maxAttempts: options.retries,
    backoff: new ExponentialBackoff({
      initialDelay: options.backoff.initialDelayMs,
      maxDelay: options.backoff.maxDelayMs,
    }),
  })
  retryPolicy.onRetry(() => retries.inc({ upstream }))

  return {
    idempotent: wrap(retryPolicy, breaker),
    unsafe: breaker,
    retryAfterSeconds() {
      const remaining = openedAt + options.breaker.halfOpenAfterMs - Date.now()
      return Math.max(1, Math.ceil(remaining / 1000))
    },
  }
}

export type Outcome =
  | 'success'
  | 'client_error'
  | 'server_error'
  | 'timeout'
  | 'network_error'
  | 'circuit_open'
  | 'aborted'

/** A failure after the policies gave up, as the error the caller sees and its metric outcome. */
export function toUpstreamError(
  error: unknown,
  upstream: string,
  retryAfterSeconds: () => number,
): { error: unknown; outcome: Outcome } {
  if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
    const message = `${upstream} is unavailable (circuit open)`
    return {
      outcome: 'circuit_open',
      error: new AppError('unavailable', 'UPSTREAM.UNAVAILABLE', message, {
        details: { upstream, reason: 'circuit_open', retryAfterSeconds: retryAfterSeconds() },
      }),
    }
  }
  if (error instanceof AttemptTimeout) {
    const message = `${upstream} did not answer within ${error.ms} ms`
    return {
      outcome: 'timeout',
      error: new AppError('timeout', 'UPSTREAM.TIMEOUT', message, { details: { upstream } }),
    }
  }
  if (error instanceof ServerFailure || error instanceof NetworkFailure) {
    const server = error instanceof ServerFailure
    const message = server
      ? `${upstream} answered ${error.response.status}`
      : `${upstream} is unreachable`
    return {
      outcome: server ? 'server_error' : 'network_error',
      error: new AppError('unavailable', 'UPSTREAM.UNAVAILABLE', message, {
        cause: server ? undefined : error.cause,
        details: {
          upstream,
          reason: server ? 'server_error' : 'network_error',
          ...(server ? { status: error.response.status } : {}),
        },
      }),
    }
  }
  // The caller's own abort signal, or a bug: passed on unchanged.
  return { error, outcome: 'aborted' }
}
