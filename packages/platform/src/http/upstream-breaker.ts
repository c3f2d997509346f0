import {
  BrokenCircuitError,
  CircuitState,
  IsolatedCircuitError,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel'
import type { Gauge } from 'prom-client'
import type { Logger } from '../log.js'
import { shedHeader } from './admission.js'

/**
 * When an upstream is judged down. Only infrastructure failures count (no answer, a timeout, a
 * 502-504), and only as a share of the calls in a sliding window that saw enough calls: a few
 * requests that make the upstream fail, however close together, never open the circuit for
 * everyone, as N consecutive failures would.
 */
export interface BreakerSettings {
  /** Share of the window's calls that failed (0 < ratio < 1) above which the circuit opens. */
  failureRatio: number
  /** The sliding window the ratio is taken over. */
  windowMs: number
  /** Calls in the window below which the circuit stays closed whatever the ratio. */
  minimumCalls: number
  /** How long an open circuit refuses calls before letting a trial through. */
  halfOpenAfterMs: number
}

export const defaultBreakerSettings: Readonly<BreakerSettings> = {
  failureRatio: 0.5,
  windowMs: 10_000,
  minimumCalls: 20,
  halfOpenAfterMs: 10_000,
}

/**
 * 502, 503 and 504: a proxy with no upstream, a service that cannot serve now, no answer in
 * time. These say the upstream is unwell. Any other 5xx is a bug in handling that request: it
 * is passed on and counted as a bug, never as the upstream being down.
 */
export function isInfrastructureStatus(status: number): boolean {
  return status >= 502 && status <= 504
}

/**
 * An answer shed by admission control: a 429 or 503 marked `x-emporium-shed` (by the upstream or
 * a service it called). The upstream is alive and said when to come back, so neither a breaker
 * nor an instance rotation counts it as a failure: otherwise shedding under a burst would open
 * the circuit for everyone exactly when load peaks.
 */
export function isShedAnswer(
  status: number,
  headers: Record<string, string | string[] | number | undefined>,
): boolean {
  return (status === 503 || status === 429) && headers[shedHeader] !== undefined
}

/** `retry-after` in whole seconds (delta-seconds or an HTTP date), or undefined when absent. */
export function retryAfterOf(
  headers: Record<string, string | string[] | number | undefined>,
): number | undefined {
  const raw = headers['retry-after']
  const value = String(Array.isArray(raw) ? raw[0] : (raw ?? '')).trim()
  if (value === '') return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** Whether the breaker refused a call (open or isolated circuit). */
export function isOpenCircuit(error: unknown): boolean {
  return error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError
}

export interface UpstreamBreaker {
  /** Runs calls; counts those that throw an error `isFault` accepts, and those that succeed. */
  policy: CircuitBreakerPolicy
  /** Seconds until the open circuit lets a trial call through (at least 1). */
  retryAfterSeconds(): number
}

// The gauge's values, by cockatiel's state (whose own numbering puts open before half-open).
const stateValue: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
}

/**
 * The circuit breaker of one upstream (cockatiel's SamplingBreaker), shared by the gateway and
 * the service client: its state in `gauge` (0 closed, 1 half-open, 2 open) under the `upstream`
 * label, its changes logged. A call that returns counts as a success, whatever the status it
 * carries; one that throws counts as a failure only when `isFault` says so (an error it does not
 * accept, e.g. the caller's own abort, is not counted at all).
 */
export function createUpstreamBreaker(options: {
  upstream: string
  settings: BreakerSettings
  isFault: (error: Error) => boolean
  gauge: Gauge<'upstream'>
  log: Logger
}): UpstreamBreaker {
  const { upstream, settings, gauge, log } = options
  const policy = circuitBreaker(handleWhen(options.isFault), {
    halfOpenAfter: settings.halfOpenAfterMs,
    breaker: new SamplingBreaker({
      threshold: settings.failureRatio,
      duration: settings.windowMs,
      // cockatiel takes a rate: this many calls over the window.
      minimumRps: (Math.max(1, settings.minimumCalls) * 1000) / settings.windowMs,
    }),
  })
  let openedAt = 0
  gauge.set({ upstream }, 0)
  policy.onBreak(() => {
    openedAt = Date.now()
  })
  policy.onStateChange((state) => {
    gauge.set({ upstream }, stateValue[state])
    const level = state === CircuitState.Closed ? 'info' : 'warn'
    log[level]({ upstream, state: CircuitState[state] }, 'circuit breaker changed state')
  })
  return {
    policy,
    retryAfterSeconds() {
      const remaining = openedAt + settings.halfOpenAfterMs - Date.now()
      return Math.max(1, Math.ceil(remaining / 1000))
    },
  }
}
