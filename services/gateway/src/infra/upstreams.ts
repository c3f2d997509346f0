import {
  createUpstreamPool,
  isOpenCircuit,
  type BreakerSettings,
  type Logger,
  type Registry,
} from '@emporium/platform'
import type { Upstream, Upstreams } from '../app/ports.js'
import type { UpstreamName } from '../domain/route-table.js'
import { UpstreamFault } from '../domain/upstream-faults.js'

export interface UpstreamOptions {
  /** How long an instance rests after refusing a connection or answering 503. */
  cooldownMs: number
  /** When an upstream is judged down: a ratio of infrastructure failures over a window. */
  breaker: BreakerSettings
  registry: Registry
  log: Logger
}

/**
 * Every configured service: its instances and breaker, the platform's upstream pool (the one the
 * service client uses), with the metrics `gateway_upstream_breaker_state` and
 * `gateway_upstream_instance_up`.
 */
export function createUpstreams(
  urls: Record<UpstreamName, string[]>,
  options: UpstreamOptions,
): Upstreams {
  const all = new Map<UpstreamName, Upstream>()
  for (const [name, bases] of Object.entries(urls) as [UpstreamName, string[]][]) {
    if (bases.length > 0) all.set(name, createUpstream(name, bases, options))
  }
  return { get: (name) => all.get(name) }
}

function createUpstream(name: UpstreamName, bases: string[], options: UpstreamOptions): Upstream {
  // The breaker counts UpstreamFaults (no answer, a 502-504) against the calls that got any
  // other answer, 500s included. The proxy says which faults leave an instance out.
  const pool = createUpstreamPool({
    upstream: name,
    instances: bases,
    ejectForMs: options.cooldownMs,
    breaker: options.breaker,
    isFault: (error) => error instanceof UpstreamFault,
    metricPrefix: 'gateway_upstream',
    registry: options.registry,
    log: options.log,
  })

  return {
    name,
    instances: pool.size,
    async execute(call) {
      try {
        return await pool.breaker.execute(call)
      } catch (error) {
        if (isOpenCircuit(error)) throw pool.openCircuitError(`The ${name} service is unavailable.`)
        throw error
      }
    },
    next: (tried) => pool.next(tried),
    markDown: (base) => pool.eject(base),
    markUp: (base) => pool.readmit(base),
    retryAfterSeconds: () => pool.ejectForSeconds(),
  }
}
