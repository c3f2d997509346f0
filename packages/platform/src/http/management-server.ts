import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Registry } from 'prom-client'
import type { Logger } from '../log.js'
import { registerOperationalRoutes, type ReadinessCheck } from './health.js'
import { handleFrameworkError, installProblemHandling } from './problem.js'
import { requestIdOf } from './request-context.js'

export interface ManagementServerOptions {
  service: string
  log: Logger
  registry: Registry
  readiness: ReadinessCheck[]
  readinessTimeoutMs?: number
}

/**
 * The management server of a service whose own port is public (the gateway's): `/healthz`, the
 * detailed `/readyz` (dependencies by name, their errors) and `/metrics`, on a port of its own
 * that no Ingress routes, for the probes and Prometheus. Nothing else is served on it, and every
 * other path is a 404 problem document. Its requests are neither logged nor counted (probes and
 * scrapes every few seconds would drown the traffic they observe).
 */
export function createManagementServer(options: ManagementServerOptions): FastifyInstance {
  const bound = options.log.bindings().service !== undefined
  const app = Fastify({
    loggerInstance: bound ? options.log : options.log.child({ service: options.service }),
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: true,
    }),
    genReqId: requestIdOf,
    requestIdHeader: false,
    // Probes and scrapes hold no long requests: closing need not wait for anyone.
    forceCloseConnections: true,
    frameworkErrors: handleFrameworkError,
  }) as unknown as FastifyInstance
  installProblemHandling(app)
  registerOperationalRoutes(app, {
    registry: options.registry,
    readiness: options.readiness,
    readinessTimeoutMs: options.readinessTimeoutMs ?? 2_000,
  })
  return app
}
