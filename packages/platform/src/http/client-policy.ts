import {
  ExponentialBackoff,
  handleWhen,
  retry,
  wrap,
  type CircuitBreakerPolicy,
  type IPolicy,
} from 'cockatiel'
import { Counter, type Registry } from 'prom-client'
import { AppError } from '../errors.js'
import { registered } from './request-metrics.js'
import { isInfrastructureStatus, isOpenCircuit, retryAfterOf } from './upstream-breaker.js'
import type { UpstreamPool } from './upstream-pool.js'

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

/**
 * A 502-504 answer, thrown inside the policies so the breaker and the retry see it. Other 5xx
 * answers are returned from the policies (the upstream answered: a bug, not an outage).
 */
export class ServerFailure<
  R extends { status: number; headers: Record<string, string | string[] | undefined> },
> extends Error {
  constructor(readonly response: R) {
    super(`answered ${response.status}`)
    this.name = 'ServerFailure'
  }
}

// Infrastructure failures: no answer, or 502-504. They are transient (retried), they are what
// the breaker counts, and they leave the instance out of the rotation. 4xx and other 5xx answers
// are returned, never thrown: the upstream answered, so they count as successes for the breaker,
// and a retry would repeat a bug.
export const isUpstreamFault = (error: unknown): boolean =>
  error instanceof AttemptTimeout ||
  error instanceof NetworkFailure ||
  (error instanceof ServerFailure && isInfrastructureStatus(error.response.status))

export interface PolicyOptions {
  upstream: string
  registry: Registry
  retries: number
  backoff: { initialDelayMs: number; maxDelayMs: number }
  /** The upstream pool's breaker. */
  breaker: CircuitBreakerPolicy
}

export interface ClientPolicies {
  /** Retries transient failures, inside the breaker (each attempt counts for it). */
  idempotent: IPolicy
  /** The breaker alone: an unsafe request may have had its effect even when no answer came. */
  unsafe: IPolicy
}

/** The retry policy of one upstream around its breaker, with its metric. */
export function createClientPolicies(options: PolicyOptions): ClientPolicies {
  const { upstream, registry } = options
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
  const retryPolicy = retry(handleWhen(isUpstreamFault), {
    maxAttempts: options.retries,
    backoff: new ExponentialBackoff({
      initialDelay: options.backoff.initialDelayMs,
      maxDelay: options.backoff.maxDelayMs,
    }),
  })
  retryPolicy.onRetry(() => retries.inc({ upstream }))
  return { idempotent: wrap(retryPolicy, options.breaker), unsafe: options.breaker }
}

export type Outcome =
  | 'success'
  | 'client_error'
  | 'server_error'
  | 'timeout'
  | 'network_error'
  | 'circuit_open'
  | 'aborted'
  /** A 429/503 shed by admission control (it never counts against the upstream). */
  | 'shed'

/** A failure after the policies gave up, as the error the caller sees and its metric outcome. */
export function toUpstreamError(
  error: unknown,
  pool: UpstreamPool,
): { error: unknown; outcome: Outcome } {
  const { upstream } = pool
  if (isOpenCircuit(error)) {
    const message = `${upstream} is unavailable (circuit open)`
    return { outcome: 'circuit_open', error: pool.openCircuitError(message) }
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
          // A 503 that said when to come back (a data store restarting): our answer says it too.
          ...(server && retryAfterOf(error.response.headers) !== undefined
            ? { retryAfterSeconds: Math.max(1, retryAfterOf(error.response.headers)!) }
            : {}),
        },
      }),
    }
  }
  // The caller's own abort signal, or a bug: passed on unchanged.
  return { error, outcome: 'aborted' }
}
