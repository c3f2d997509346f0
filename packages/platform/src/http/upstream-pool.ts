import type { CircuitBreakerPolicy } from 'cockatiel'
import { Gauge, type Registry } from 'prom-client'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import { registered } from './request-metrics.js'
import { createUpstreamBreaker, type BreakerSettings } from './upstream-breaker.js'

export interface UpstreamPoolOptions {
  /** The upstream's name: the `upstream` label of the metrics and the subject of errors. */
  upstream: string
  /** Base URLs of its instances, used in turn; also the `instance` label of the metrics. */
  instances: readonly string[]
  /** How long an instance is left out of the rotation after it failed. */
  ejectForMs: number
  /** When the upstream as a whole is judged down (see BreakerSettings). */
  breaker: BreakerSettings
  /** Which errors thrown through the breaker count against the upstream. */
  isFault: (error: Error) => boolean
  /**
   * Names the pool's metrics, e.g. `http_client` or `gateway_upstream`: `<prefix>_breaker_state`
   * (0 closed, 1 half-open, 2 open, by upstream) and `<prefix>_instance_up` (by upstream and
   * instance), registered once per registry and shared by every pool with that prefix.
   */
  metricPrefix: string
  registry: Registry
  log: Logger
}

/**
 * One upstream's instances and circuit breaker, as every outbound caller (the gateway's proxy,
 * the service client) sees them: round-robin over the instances, an instance that failed left
 * out for `ejectForMs`, and one breaker for the upstream weighing infrastructure failures
 * against the calls that got an answer. Which failures leave an instance out is the caller's
 * call (it knows its transport); the pool keeps the time, the gauge and the log.
 */
export interface UpstreamPool {
  readonly upstream: string
  /** How many instances there are. */
  readonly size: number
  /** The breaker: runs calls, counts those that throw an error `isFault` accepts. */
  readonly breaker: CircuitBreakerPolicy
  /**
   * The instance to call next: round-robin over those not left out and not yet `tried`; when
   * all are left out, the one whose time out ends first (a probe, rather than a refusal).
   * Undefined only once every instance was tried.
   */
  next(tried?: ReadonlySet<string>): string | undefined
  /** Leaves `instance` out of the rotation for `ejectForMs` from now (again, if it already is). */
  eject(instance: string, cause?: unknown): void
  /** Puts `instance` back in the rotation: it answered. */
  readmit(instance: string): void
  /** Seconds until the open circuit lets a trial call through (at least 1). */
  retryAfterSeconds(): number
  /** `ejectForMs` in whole seconds (at least 1): when an instance that failed is tried again. */
  ejectForSeconds(): number
  /** The error of a call the open circuit refused: 503 `UPSTREAM.UNAVAILABLE`, `circuit_open`. */
  openCircuitError(message: string): AppError
}

export function createUpstreamPool(options: UpstreamPoolOptions): UpstreamPool {
  const { upstream, registry, log, ejectForMs, metricPrefix } = options
  const breakerGauge = registered(
    registry,
    `${metricPrefix}_breaker_state`,
    () =>
      new Gauge({
        name: `${metricPrefix}_breaker_state`,
        help: 'Circuit breaker of an upstream: 0 closed, 1 half-open, 2 open',
        labelNames: ['upstream'],
        registers: [registry],
      }),
  )
  const instanceGauge = registered(
    registry,
    `${metricPrefix}_instance_up`,
    () =>
      new Gauge({
        name: `${metricPrefix}_instance_up`,
        help: 'Whether calls go to an instance of an upstream (0 while it is left out after failing)',
        labelNames: ['upstream', 'instance'],
        registers: [registry],
      }),
  )
  const breaker = createUpstreamBreaker({
    upstream,
    settings: options.breaker,
    isFault: options.isFault,
    gauge: breakerGauge,
    log,
  })

  // `outUntil` is 0 while an instance is in the rotation; once it failed, the time its rest
  // ends, kept (and the gauge at 0) until it answers again.
  const instances = options.instances.map((base) => ({ base, outUntil: 0 }))
  for (const { base } of instances) instanceGauge.set({ upstream, instance: base }, 1)
  let turn = 0

  return {
    upstream,
    size: instances.length,
    breaker: breaker.policy,
    next(tried) {
      const now = Date.now()
      for (let i = 0; i < instances.length; i++) {
        const index = (turn + i) % instances.length
        const instance = instances[index]!
        if (instance.outUntil <= now && !tried?.has(instance.base)) {
          turn = index + 1
          return instance.base
        }
      }
      let probe: (typeof instances)[number] | undefined
      for (const instance of instances) {
        if (tried?.has(instance.base)) continue
        if (!probe || instance.outUntil < probe.outUntil) probe = instance
      }
      return probe?.base
    },
    eject(base, cause) {
      const instance = instances.find((i) => i.base === base)
      if (!instance) return
      if (instance.outUntil === 0) {
        log.warn(
          { upstream, instance: base, forMs: ejectForMs, ...(cause ? { err: cause } : {}) },
          'upstream instance failing: left out of the rotation',
        )
        instanceGauge.set({ upstream, instance: base }, 0)
      }
      instance.outUntil = Date.now() + ejectForMs
    },
    readmit(base) {
      const instance = instances.find((i) => i.base === base)
      if (!instance || instance.outUntil === 0) return
      instance.outUntil = 0
      instanceGauge.set({ upstream, instance: base }, 1)
      log.info({ upstream, instance: base }, 'upstream instance answering again')
    },
    retryAfterSeconds: breaker.retryAfterSeconds,
    ejectForSeconds: () => Math.max(1, Math.ceil(ejectForMs / 1000)),
    openCircuitError(message) {
      return new AppError('unavailable', 'UPSTREAM.UNAVAILABLE', message, {
        details: {
          upstream,
          reason: 'circuit_open',
          retryAfterSeconds: breaker.retryAfterSeconds(),
        },
      })
    },
  }
}
