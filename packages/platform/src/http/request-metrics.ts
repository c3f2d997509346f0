import type { FastifyInstance } from 'fastify'
import { Counter, Histogram, type Registry } from 'prom-client'
import { observeWithTrace, withExemplars } from '../metrics.js'
import { routeOf, traceIdOf } from './request-context.js'

/** A metric registered once per registry: a second server or client on it reuses it. */
export function registered<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create()
}

const labelNames = ['method', 'route', 'status'] as const

/**
 * Request count and latency by method, route pattern and status. Labels are bounded: the route
 * is the pattern (or `unmatched`), never the URL. Routes in `excluded` (probes, scrapes) are
 * not counted, so they do not drown the traffic they are meant to observe.
 */
export function installRequestMetrics(
  app: FastifyInstance,
  registry: Registry,
  excluded: ReadonlySet<string>,
): void {
  const total = registered(
    registry,
    'http_requests_total',
    () =>
      new Counter({
        name: 'http_requests_total',
        help: 'HTTP requests served, by method, route pattern and status',
        labelNames,
        registers: [registry],
      }),
  )
  const duration = registered(
    registry,
    'http_request_duration_seconds',
    () =>
      new Histogram({
        name: 'http_request_duration_seconds',
        help: 'Time to serve an HTTP request, by method, route pattern and status',
        labelNames,
        buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
        enableExemplars: withExemplars(registry),
      }),
  )

  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request)
    if (!excluded.has(route)) {
      const labels = { method: request.method, route, status: String(reply.statusCode) }
      total.inc(labels)
      observeWithTrace(duration, labels, reply.elapsedTime / 1000, traceIdOf(request))
    }
    done()
  })
}
