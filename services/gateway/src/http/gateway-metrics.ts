import { withExemplars, type Registry } from '@emporium/platform'
import { Counter, Histogram } from 'prom-client'

export interface GatewayMetrics {
  upstreamRequests: Counter<'upstream' | 'route' | 'method' | 'status'>
  upstreamDuration: Histogram<'upstream' | 'route'>
  rateLimited: Counter<'policy'>
  upstreamBugs: Counter<'upstream'>
  upstreamShed: Counter<'upstream'>
  readCache: Counter<'route' | 'result'>
}

/**
 * The gateway's own metrics, beside the platform's per-route request metrics (whose route label
 * is the catch-all pattern for proxied calls): upstream calls by the route-table rule, refusals
 * by limit, and the upstreams' bugs (500s, which do not count against their health). Labels are
 * bounded: rule patterns and outcomes, never URLs.
 */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    upstreamRequests: new Counter({
      name: 'gateway_upstream_requests_total',
      help: 'Requests forwarded, by upstream, route rule, method and status (or failure)',
      labelNames: ['upstream', 'route', 'method', 'status'],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: 'gateway_upstream_duration_seconds',
      help: 'Time until an upstream answered (its headers; a small answer, its whole body), by upstream and route rule',
      labelNames: ['upstream', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
      // The trace of a request in each bucket, while traces are exported (OpenMetrics).
      enableExemplars: withExemplars(registry),
    }),
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by limit',
      labelNames: ['policy'],
      registers: [registry],
    }),
    upstreamBugs: new Counter({
      name: 'gateway_upstream_bugs_total',
      help: 'Answers 500 (any 5xx but 502-504) passed on from an upstream: bugs, not outages',
      labelNames: ['upstream'],
      registers: [registry],
    }),
    upstreamShed: new Counter({
      name: 'gateway_upstream_shed_total',
      help: 'Answers 429/503 shed by an upstream (x-emporium-shed), passed on: never an outage',
      labelNames: ['upstream'],
      registers: [registry],
    }),
    readCache: new Counter({
      name: 'gateway_read_cache_total',
      help: 'GETs the read cache may answer, by route rule: hit (answered from it) or miss',
      labelNames: ['route', 'result'],
      registers: [registry],
    }),
  }
}
