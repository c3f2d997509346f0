import {
  AppError,
  createUpstreamBreaker,
  isOpenCircuit,
  type BreakerSettings,
  type Logger,
  type Registry,
} from '@emporium/platform'
import { Gauge } from 'prom-client'
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

/** Every configured service: its instances (round-robin, resting the failing) and breaker. */
export function createUpstreams(
  urls: Record<UpstreamName, string[]>,
  options: UpstreamOptions,
): Upstreams {
  const breakerGauge = new Gauge({
    name: 'gateway_upstream_breaker_state',
    help: 'Circuit breaker of an upstream service: 0 closed, 1 half-open, 2 open',
    labelNames: ['upstream'],
    registers: [options.registry],
  })
  const instanceGauge = new Gauge({
    name: 'gateway_upstream_instance_up',
    help: 'Whether the gateway sends requests to an instance (0 while it rests after failing)',
    labelNames: ['upstream', 'instance'],
    registers: [options.registry],
  })
  const all = new Map<UpstreamName, Upstream>()
  for (const [name, bases] of Object.entries(urls) as [UpstreamName, string[]][]) {
    if (bases.length > 0)
      all.set(name, createUpstream(name, bases, options, breakerGauge, instanceGauge))
  }
  return { get: (name) => all.get(name) }
}

function createUpstream(
  name: UpstreamName,
  bases: string[],
  options: UpstreamOptions,
  breakerGauge: Gauge<'upstream'>,
  instanceGauge: Gauge,
): Upstream {
  const { log } = options
  const instances = bases.map((base) => ({ base, restUntil: 0 }))
  for (const base of bases) instanceGauge.set({ upstream: name, instance: base }, 1)
  let turn = 0

  // The platform's breaker, as the service client's: it counts UpstreamFaults (no answer, a
  // 502-504) against the calls that got any other answer, 500s included.
  const breaker = createUpstreamBreaker({
    upstream: name,
    settings: options.breaker,
    isFault: (error) => error instanceof UpstreamFault,
    gauge: breakerGauge,
    log,
  })

  return {
    name,
    instances: instances.length,
    async execute(call) {
      try {
        return await breaker.policy.execute(call)
      } catch (error) {
        if (isOpenCircuit(error)) {
          throw new AppError(
            'unavailable',
            'UPSTREAM.UNAVAILABLE',
            `The ${name} service is unavailable.`,
            {
              details: {
                retryAfterSeconds: breaker.retryAfterSeconds(),
                upstream: name,
                reason: 'circuit_open',
              },
            },
          )
        }
        throw error
      }
    },
    next(tried) {
      const now = Date.now()
      for (let i = 0; i < instances.length; i++) {
        const index = (turn + i) % instances.length
        const instance = instances[index]!
        if (instance.restUntil <= now && !tried.has(instance.base)) {
          turn = index + 1
          return instance.base
        }
      }
      // All rest (or were tried): probe the one whose rest ends first, rather than refuse.
      const probe = instances
        .filter((instance) => !tried.has(instance.base))
        .sort((a, b) => a.restUntil - b.restUntil)[0]
      return probe?.base
    },
    markDown(base) {
      const instance = instances.find((i) => i.base === base)
      if (!instance) return
      if (instance.restUntil === 0) {
        log.warn({ upstream: name, instance: base }, 'upstream instance failing: taken out')
        instanceGauge.set({ upstream: name, instance: base }, 0)
      }
      instance.restUntil = Date.now() + options.cooldownMs
    },
    markUp(base) {
      const instance = instances.find((i) => i.base === base)
      if (!instance || instance.restUntil === 0) return
      instance.restUntil = 0
      instanceGauge.set({ upstream: name, instance: base }, 1)
      log.info({ upstream: name, instance: base }, 'upstream instance answering again')
    },
    retryAfterSeconds: () => Math.max(1, Math.ceil(options.cooldownMs / 1000)),
  }
}
