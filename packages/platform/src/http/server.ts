import type { ServerResponse } from 'node:http'
import type { TypeBoxTypeProvider, FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type RawReplyDefaultExpression,
  type RawRequestDefaultExpression,
  type RawServerDefault,
} from 'fastify'
import swagger from '@fastify/swagger'
import type { Registry } from 'prom-client'
import { fastifyInstrumentation } from '../instrument.js'
import type { Logger } from '../log.js'
import { installAdmission } from './admission.js'
import { installOptionalBody, markOptionalBody, optionalBodies } from './optional-body.js'
import { installBodyDrain } from './body-drain.js'
import { installExtraLatency, type ExtraLatency } from './extra-latency.js'
import { operationalRoutes, registerOperationalRoutes, type ReadinessCheck } from './health.js'
import { handleFrameworkError, installProblemHandling } from './problem.js'
import { createClientErrorHandler, installProtocolChecks } from './protocol-errors.js'
import { installRequestContext, requestIdOf, type IncomingTrace } from './request-context.js'
import { requestLoggerFactory } from './request-logger.js'
import { installRequestMetrics } from './request-metrics.js'
import { buildValidator } from './validation.js'

/**
 * A service's routes: an encapsulated plugin, typed by TypeBox schemas. A plain
 * `FastifyPluginAsync` fits too (it may call `withTypeProvider<TypeBoxTypeProvider>()` itself).
 */
export type HttpRoutes = FastifyPluginAsyncTypebox

export interface HttpServerOptions {
  /** The service's name, bound to the logger unless it names the service already. */
  service: string
  log: Logger
  /** This service's registry (never prom-client's global one: services may share a process). */
  registry: Registry
  routes?: HttpRoutes
  /** Checks `/readyz` runs, each within `readinessTimeoutMs`. */
  readiness?: ReadinessCheck[]
  /**
   * `liveness`: this port is public and a management server (createManagementServer) serves
   * `/readyz` and `/metrics`; here `/healthz` alone. Default `all`.
   */
  operationalRoutes?: 'all' | 'liveness'
  readinessTimeoutMs?: number
  /** Largest request body accepted; more is a 413. */
  bodyLimit?: number
  /**
   * Deadline for a request from arrival to response (fastify's `handlerTimeout`): past it the
   * client gets a 503 problem and `request.signal` aborts the handler's work. Off by default,
   * since a route that streams (server-sent events) hijacks the reply and so escapes it anyway.
   */
  requestTimeoutMs?: number
  /** Describes the service's API in the OpenAPI 3.1 document served at `/openapi.json`. */
  openapi?: { title?: string; version?: string; description?: string }
  /**
   * Fault injection (chaos tests; `EXTRA_LATENCY_MS`, `EXTRA_LATENCY_FILE`): every request but
   * the operational routes waits before it is handled. Off when absent.
   */
  extraLatency?: ExtraLatency
  /**
   * `continue` (default) the caller's `traceparent`, or `link` it from a new trace: the public
   * edge does, so that clients cannot choose trace ids in our logs.
   */
  incomingTrace?: IncomingTrace
  /**
   * The level of the one line logged per request (`request completed`: method, url, status,
   * time), fastify's two per request replaced: `info` at the public edge (the gateway's access
   * log), `debug` (default) in the services behind it, so a request costs no log line per hop.
   */
  accessLog?: 'info' | 'debug'
}

export type { ExtraLatency } from './extra-latency.js'

export type HttpServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>

/**
 * The HTTP server of one service, built apart from listening: callers `listen()` it, or
 * `inject()` requests in tests. Every response carries `x-request-id`; every error is a problem
 * document; requests run in their work and trace contexts; `/healthz`, `/readyz` and `/metrics`
 * are served. `close()` stops accepting, answers 503 to requests arriving meanwhile, waits for
 * those in flight and closes idle keep-alive connections so that it does not hang on them.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  // Bound once: the caller's logger usually names the service already, and a second binding
  // would repeat the key in every line.
  const bound = options.log.bindings().service !== undefined
  const logger = bound ? options.log : options.log.child({ service: options.service })
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({
      requestIdLogLabel: 'requestId',
      disableRequestLogging: true,
    }),
    // A request's child logger is made when it first logs (request-logger.ts).
    childLoggerFactory: requestLoggerFactory,
    genReqId: requestIdOf,
    // The id comes from genReqId, which vets the header first.
    requestIdHeader: false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    handlerTimeout: options.requestTimeoutMs ?? 0,
    // Slow clients may not hold a connection open indefinitely while sending a request.
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    schemaController: { compilersFactory: { buildValidator } },
    frameworkErrors: handleFrameworkError,
    // Errors node's parser meets before fastify sees a request: problem documents too.
    clientErrorHandler: createClientErrorHandler(logger),
    // A missing Host is answered by installProtocolChecks (node's own answer has no body).
    http: { requireHostHeader: false },
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as HttpServer
  const root = app as unknown as FastifyInstance

  // Hooks and handlers on the root instance, so that the encapsulated routes inherit them.
  installRequestContext(root, { incomingTrace: options.incomingTrace, service: options.service })
  installProblemHandling(root)
  installProtocolChecks(root)
  installBodyDrain(root)
  installRequestMetrics(root, options.registry, operationalRoutes)
  installAccessLog(root, options.accessLog ?? 'debug')
  // Routes that declare `config.admission` get their concurrency limit and short queue.
  installAdmission(root, options.registry)
  // Routes that declare `config.optionalBody` take an absent body as `{}` (issue 19).
  installOptionalBody(root)
  // Counted from arrival, the added time shows in the latency histograms as a real delay would.
  if (options.extraLatency) installExtraLatency(root, options.extraLatency)
  registerOperationalRoutes(root, {
    registry: options.registry,
    readiness: options.readiness ?? [],
    readinessTimeoutMs: options.readinessTimeoutMs ?? 2_000,
    livenessOnly: options.operationalRoutes === 'liveness',
  })
  installDrain(root)
  registerOpenApi(root, options)
  // fastify's own spans (hooks, handler) under the server span, when libraries are instrumented.
  const otel = fastifyInstrumentation()
  if (otel) void app.register(otel.plugin())
  if (options.routes) void app.register(options.routes)
  return app
}

/** One line per request, after the response, at `level`; none for the operational routes. */
function installAccessLog(app: FastifyInstance, level: 'info' | 'debug'): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (
      (request.log as Logger).isLevelEnabled(level) &&
      !operationalRoutes.has(request.routeOptions.url ?? '')
    ) {
      request.log[level](
        {
          method: request.method,
          url: request.url,
          statusCode: reply.statusCode,
          responseTime: reply.elapsedTime,
        },
        'request completed',
      )
    }
    done()
  })
}

/**
 * `forceCloseConnections: 'idle'` closes the connections idle when `close()` starts; one busy
 * then would stay open after its response for the keep-alive timeout, holding `close()` up.
 * Responses sent while closing therefore ask the client to close the connection, and connections
 * that go idle later (a response whose headers left before closing and that ends after) are
 * closed as they do. Event streams never end on their own: a service ends its own streams in a
 * `preClose` hook (notifications does); any still open a moment later (the gateway's proxied
 * ones) are cut, and the client reconnects, to another replica.
 */
function installDrain(app: FastifyInstance): void {
  let closing = false
  const streams = new Set<ServerResponse>()
  let sweep: NodeJS.Timeout | undefined
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close')
    else if (String(reply.getHeader('content-type') ?? '').startsWith('text/event-stream')) {
      const raw = reply.raw
      streams.add(raw)
      raw.once('close', () => streams.delete(raw))
    }
    done(null, payload)
  })
  app.addHook('preClose', (done) => {
    closing = true
    sweep = setInterval(() => app.server.closeIdleConnections(), 100)
    sweep.unref()
    setTimeout(() => {
      for (const raw of streams) raw.destroy()
    }, STREAM_GRACE_MS).unref()
    done()
  })
  app.addHook('onClose', (_instance, done) => {
    clearInterval(sweep)
    done()
  })
}

/** How long a service has to end its own event streams once closing starts. */
const STREAM_GRACE_MS = 250

/**
 * The service's OpenAPI 3.1 document, generated from the same route schemas that validate
 * requests and serialize responses, at `GET /openapi.json` (the gateway merges these into the
 * public document). Operational routes are left out of it.
 */
function registerOpenApi(app: FastifyInstance, options: HttpServerOptions): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.openapi?.title ?? `Emporium ${options.service} service`,
        version: options.openapi?.version ?? '1.0.0',
        ...(options.openapi?.description ? { description: options.openapi.description } : {}),
      },
    },
    hideUntagged: false,
    transform: ({ schema, url, route }) => {
      const hidden = operationalRoutes.has(url) || url === '/openapi.json'
      // A staff route's permission (its config, issue 19) is part of its description: the
      // gateway's merged document says which permission each operation needs.
      const permission = route.config?.permission
      const described =
        permission === undefined
          ? schema
          : { ...schema, 'x-emporium-access': 'admin', 'x-emporium-permission': permission }
      const marked = markOptionalBody(described, route)
      return { schema: hidden ? { ...marked, hide: true } : marked, url }
    },
  })
  app.get('/openapi.json', { schema: { hide: true } }, async () => optionalBodies(app.swagger()))
}
