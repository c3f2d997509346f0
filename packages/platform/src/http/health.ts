import type { FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'

/**
 * A dependency the service needs to serve (its database, its broker): throws when it cannot.
 * It may instead resolve with a message when the service still serves without it, degraded
 * (the gateway's Redis: limits fall back to per-instance ones): the service stays ready and
 * `/readyz` shows the message as that check's status.
 */
export interface ReadinessCheck {
  name: string
  check: () => Promise<void | string>
}

/**
 * Paths of the operational routes. Probes and scrapes every few seconds would drown the traffic
 * they observe, so they are left out of request metrics and request logs.
 */
export const operationalRoutes: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics'])

class CheckTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`)
  }
}

async function runCheck(
  check: ReadinessCheck,
  timeoutMs: number,
): Promise<{ ok: boolean; status: string }> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(timeoutMs)), timeoutMs)
  })
  try {
    const degraded = await Promise.race([check.check(), timeout])
    return { ok: true, status: typeof degraded === 'string' ? degraded : 'ok' }
  } catch (error) {
    return { ok: false, status: error instanceof Error ? error.message : String(error) }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * `/healthz` (the process answers), `/readyz` (every check passes, each within its timeout, run
 * in parallel) and `/metrics` (Prometheus text of this service's registry). Not public: the
 * gateway routes only `/api/v1`, so a failing check's message may name the dependency. With
 * `livenessOnly` (a public port, whose management server serves the rest), only `/healthz`.
 */
export function registerOperationalRoutes(
  app: FastifyInstance,
  options: {
    registry: Registry
    readiness: ReadinessCheck[]
    readinessTimeoutMs: number
    livenessOnly?: boolean
  },
): void {
  const { registry, readiness, readinessTimeoutMs } = options
  app.get('/healthz', async () => ({ status: 'ok' }))
  if (options.livenessOnly) return

  app.get('/readyz', async (request, reply) => {
    const results = await Promise.all(readiness.map((c) => runCheck(c, readinessTimeoutMs)))
    const checks = Object.fromEntries(readiness.map((c, i) => [c.name, results[i]!.status]))
    const ready = results.every((r) => r.ok)
    if (!ready) request.log.warn({ checks }, 'not ready')
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks })
  })

  app.get('/metrics', async (_request, reply) => {
    return reply.type(registry.contentType).send(await registry.metrics())
  })
}
