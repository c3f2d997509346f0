import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
  type Link,
  type Span,
} from '@opentelemetry/api'
import { RPCType, setRPCMetadata } from '@opentelemetry/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { runWithContext } from '../context.js'
import { sampledTraceId } from '../metrics.js'
import { fastifyInstrumentation } from '../instrument.js'
import { extractContext, inService, isExportingTraces, setupTracing } from '../tracing.js'
import { requestSlot } from './request-slot.js'

/** What a client may send as a request or correlation id; anything else is replaced. */
const saneId = /^[A-Za-z0-9._:-]{1,128}$/

function saneHeader(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && saneId.test(value) ? value : undefined
}

/** Fastify's `genReqId`: the client's `x-request-id` when it is a sane token, else a UUID. */
export function requestIdOf(raw: IncomingMessage): string {
  return saneHeader(raw.headers['x-request-id']) ?? randomUUID()
}

/** The route pattern (`/products/:id`), never the raw URL; `unmatched` for a 404. */
export function routeOf(request: FastifyRequest): string {
  return request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched')
}

// The trace of each request's server span (when sampled), for the latency histograms' exemplars
// (request-metrics.ts): read after the span has ended and left `spans`.
const traceIds = requestSlot<string>('emporium.traceId')

/** The sampled trace id of the request's server span, if any. */
export function traceIdOf(request: FastifyRequest): string | undefined {
  return traceIds.get(request)
}

/**
 * What a server makes of an incoming `traceparent`: `continue` its trace (a trusted caller: the
 * gateway, another service), or `link` it: start a new trace whose server span links to the
 * caller's (the public edge, so that clients cannot choose the trace ids in our logs).
 */
export type IncomingTrace = 'continue' | 'link'

/**
 * Every request runs inside its WorkContext (request and correlation ids) and inside a server
 * span whose parent is the incoming `traceparent` (or, with `incomingTrace: 'link'`, a new trace
 * linked to it, the linked ids in the request's log lines as `linkedTraceId`/`linkedSpanId`), so
 * handlers, logs, outgoing calls and messages all carry them. Every response carries
 * `x-request-id`.
 */
export function installRequestContext(
  app: FastifyInstance,
  options: { incomingTrace?: IncomingTrace; service?: string } = {},
): void {
  const linking = options.incomingTrace === 'link'
  setupTracing()
  const tracer = trace.getTracer('emporium-http')
  const spans = requestSlot<Span>('emporium.span')
  // Whether fastify's instrumentation runs in this server (createHttpServer registers it then).
  const instrumented = fastifyInstrumentation() !== undefined

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    const route = routeOf(request)
    const incoming = extractContext(request.headers)
    const links: Link[] = []
    if (linking) {
      const caller = trace.getSpanContext(incoming)
      if (caller && isSpanContextValid(caller)) {
        links.push({ context: caller })
        const ids = { linkedTraceId: caller.traceId, linkedSpanId: caller.spanId }
        request.log = request.log.child(ids)
        reply.log = request.log
      }
    }
    const root = linking ? ROOT_CONTEXT : incoming
    // The server span and every span under it belong to this service (its `service.name`): a
    // label for exported spans only (each value set copies the context).
    const parent = options.service && isExportingTraces() ? inService(root, options.service) : root
    const span = tracer.startSpan(
      `${request.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'http.route': route },
        links,
      },
      parent,
    )
    const work = {
      requestId: request.id,
      correlationId: saneHeader(request.headers['x-correlation-id']) ?? request.id,
    }
    spans.set(request, span)
    const traceId = sampledTraceId(span)
    if (traceId) traceIds.set(request, traceId)
    // done() inside run/with: the rest of the lifecycle continues from it and inherits both
    // contexts (fastify carries the async context across body parsing with an AsyncResource).
    // The RPC metadata tells fastify's instrumentation (instrument.ts) that this is the server
    // span: its own request span is then an internal one under it.
    const spanned = trace.setSpan(parent, span)
    const active = instrumented ? setRPCMetadata(spanned, { type: RPCType.HTTP, span }) : spanned
    runWithContext(work, () => context.with(active, done))
  })

  app.addHook('onError', (request, _reply, error, done) => {
    // Only the event here: whether the span failed depends on the status sent (4xx is not).
    spans.get(request)?.recordException(error)
    done()
  })

  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request)
    if (span) {
      span.setAttribute('http.response.status_code', reply.statusCode)
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
      span.end()
      spans.set(request, undefined)
    }
    done()
  })

  app.addHook('onRequestAbort', (request, done) => {
    spans.get(request)?.end()
    spans.set(request, undefined)
    done()
  })
}
