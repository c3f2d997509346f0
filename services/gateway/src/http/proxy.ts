import type { IncomingHttpHeaders } from 'node:http'
import type { Readable } from 'node:stream'
import {
  activeSampledTraceId,
  AppError,
  currentContext,
  injectTraceHeaders,
  isInfrastructureStatus,
  isShedAnswer,
  shedHeader,
} from '@emporium/platform'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Upstream, Upstreams } from '../app/ports.js'
import { forwardedForHeader, type ProxyTrust } from '../domain/client-address.js'
import type { UpstreamName } from '../domain/route-table.js'
import {
  ClientGone,
  ConnectFault,
  ServerFault,
  type UpstreamFault,
} from '../domain/upstream-faults.js'
import { edgeStateOf } from './edge.js'
import { clientResponseHeaders, upstreamRequestHeaders } from './forward-headers.js'
import type { GatewayMetrics } from './gateway-metrics.js'
import {
  classify,
  clientError,
  discard,
  isProblem,
  outcomeOf,
  replacement,
  type UpstreamResponse,
} from './upstream-errors.js'

export interface ForwardTarget {
  upstream: UpstreamName
  /** The route-table rule's path, for metrics. */
  route: string
  /** Path on the upstream (encoded); the query string is passed on as it came. */
  path: string
  /** The body, when it was buffered (else the request's stream, or none). */
  body?: Buffer
  /** Told the upstream's status (undefined when none came). */
  onStatus?: (status: number | undefined) => void
  /**
   * Shown the whole body of a 2xx answer before it is sent on (read into memory: for small
   * answers only, such as a token the gateway keeps in a cookie).
   */
  inspect?: (status: number, body: Buffer) => void
}

// Far above any answer `inspect` is for; a larger one is passed on without being shown.
const inspectLimit = 64 * 1024

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/**
 * Forwards a request through @fastify/reply-from, streaming both bodies (event streams too).
 * Instances are tried in turn: one that refuses the connection or answers 503 rests for a
 * cool-down, and the request goes to the next when it can be sent again (nothing sent yet, or
 * a bodiless or buffered idempotent call). The upstream's circuit breaker counts infrastructure
 * failures (no answer, 502-504) as a share of its calls; open, it answers 503 at once. No answer
 * in time is a 504; unreachable, a 503 with `retry-after`. Any other 5xx is the upstream's bug:
 * passed on (counted, logged), never held against the upstream or its instance. A 5xx that is not
 * a problem document becomes a generic one (nothing of the upstream leaks).
 */
export function createProxy(deps: {
  upstreams: Upstreams
  trust: ProxyTrust
  metrics: GatewayMetrics
}) {
  const { metrics } = deps

  function attempt(
    request: FastifyRequest,
    reply: FastifyReply,
    target: ForwardTarget,
    base: string,
  ) {
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let settled = false
      const settle = (fn: () => void) => {
        if (settled) return
        settled = true
        reply.raw.off('close', onClose)
        fn()
      }
      const onClose = () => settle(() => reject(new ClientGone()))
      reply.raw.once('close', onClose)
      let headers: UpstreamResponse['headers'] = {}
      try {
        reply.from(base + target.path, {
          ...(target.body === undefined
            ? {}
            : {
                body: target.body,
                contentType: request.headers['content-type'] ?? 'application/octet-stream',
              }),
          retryDelay: () => null,
          rewriteRequestHeaders: (_request, incoming) =>
            upstreamRequestHeaders(
              incoming as IncomingHttpHeaders,
              forwardContext(request),
            ) as IncomingHttpHeaders,
          // Copied by us once the answer is known to pass (a replaced 5xx keeps none of them).
          rewriteHeaders: (incoming) => {
            headers = clientResponseHeaders(incoming as IncomingHttpHeaders)
            return {}
          },
          onResponse: (_request, _reply, res) => {
            const { statusCode, stream } = res as unknown as {
              statusCode: number
              stream: Readable
            }
            // Nobody waits for it any more (the client left, or was answered at a deadline):
            // read it to the end, so the upstream's connection is free again.
            if (settled) discard(stream)
            else settle(() => resolve({ statusCode, headers, stream }))
          },
          onError: (_reply, { error }) => settle(() => reject(classify(target.upstream, error))),
        })
      } catch (error) {
        settle(() => reject(classify(target.upstream, error)))
      }
    })
  }

  function forwardContext(request: FastifyRequest) {
    const work = currentContext()
    return {
      forwardedFor: forwardedForHeader(
        request.raw.socket.remoteAddress,
        request.headers['x-forwarded-for'],
        deps.trust,
      ),
      proto: edgeStateOf(request).secure ? 'https' : 'http',
      host: request.headers.host,
      requestId: request.id,
      correlationId: work?.correlationId ?? request.id,
      trace: injectTraceHeaders(),
      bodyless: request.method === 'GET' || request.method === 'HEAD',
    }
  }

  async function attempts(
    request: FastifyRequest,
    reply: FastifyReply,
    upstream: Upstream,
    target: ForwardTarget,
  ) {
    const tried = new Set<string>()
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      Number(request.headers['content-length'] ?? 0) > 0
    const resendable = target.body !== undefined || !hasBody
    let last: UpstreamFault | undefined
    for (;;) {
      const base = upstream.next(tried)
      if (base === undefined) throw last ?? new ConnectFault(upstream.name, 'no instance')
      tried.add(base)
      let response: UpstreamResponse
      try {
        response = await attempt(request, reply, target, base)
      } catch (error) {
        if (!(error instanceof ConnectFault)) throw error
        upstream.markDown(base)
        if (!resendable) throw error
        last = error
        continue
      }
      if (isShedAnswer(response.statusCode, response.headers)) {
        // Alive and busy: it said when to come back. Neither the breaker nor the rotation holds
        // it against the instance. One that never started the request leaves it to a sibling.
        metrics.upstreamShed.inc({ upstream: upstream.name })
        const notStarted = response.headers[shedHeader] === 'admission'
        if (notStarted && resendable && tried.size < upstream.instances) {
          discard(response.stream)
          continue
        }
        return response
      }
      if (response.statusCode === 503) {
        upstream.markDown(base)
        last = new ServerFault(upstream.name, response, 503)
        if (resendable && idempotent.has(request.method) && tried.size < upstream.instances) {
          discard(response.stream)
          continue
        }
      } else {
        upstream.markUp(base)
      }
      // Thrown for the breaker to count; the answer is passed on all the same (see forward).
      if (isInfrastructureStatus(response.statusCode))
        throw new ServerFault(upstream.name, response, response.statusCode)
      return response
    }
  }

  return async function forward(
    request: FastifyRequest,
    reply: FastifyReply,
    target: ForwardTarget,
  ): Promise<void> {
    const upstream = deps.upstreams.get(target.upstream)
    const labels = { upstream: target.upstream, route: target.route }
    if (!upstream) {
      target.onStatus?.(undefined)
      metrics.upstreamRequests.inc({ ...labels, method: request.method, status: 'not_configured' })
      throw new AppError(
        'unavailable',
        'UPSTREAM.UNAVAILABLE',
        `The ${target.upstream} service is not available.`,
        {
          details: { retryAfterSeconds: 30, upstream: target.upstream, reason: 'not_configured' },
        },
      )
    }
    const traceId = activeSampledTraceId()
    // The exemplar's label is free-form (prom-client types it as the metric's own labels).
    const exemplar = (traceId ? { trace_id: traceId } : undefined) as typeof labels | undefined
    const stopTimer = metrics.upstreamDuration.startTimer(labels, exemplar)
    let response: UpstreamResponse | undefined
    let failure: unknown
    try {
      response = await upstream.execute(() => attempts(request, reply, upstream, target))
    } catch (error) {
      if (error instanceof ServerFault) response = (error as ServerFault<UpstreamResponse>).response
      else failure = error
    }
    target.onStatus?.(response?.statusCode)
    const status = response ? String(response.statusCode) : outcomeOf(failure)
    metrics.upstreamRequests.inc({ ...labels, method: request.method, status })
    if (response || !(failure instanceof ClientGone)) stopTimer()

    if (reply.sent) {
      // Answered already, at the route's deadline (admission): the late answer goes nowhere.
      if (response) discard(response.stream)
      return
    }
    if (failure instanceof ClientGone) {
      reply.hijack() // nobody to answer
      return
    }
    if (!response) throw clientError(failure, upstream)
    if (response.statusCode >= 500 && !isInfrastructureStatus(response.statusCode)) {
      metrics.upstreamBugs.inc({ upstream: target.upstream })
      request.log.error(
        { upstream: target.upstream, route: target.route, status: response.statusCode },
        'upstream answered with a server error: a bug there, passed on',
      )
    }
    if (response.statusCode >= 500 && !isProblem(response.headers)) {
      discard(response.stream)
      throw replacement(response, upstream)
    }
    if (target.inspect && response.statusCode < 300 && !response.headers['content-encoding']) {
      // Read whole (the routes that inspect answer a few hundred bytes), then sent on as read.
      const body = await readAll(response.stream)
      if (body.length <= inspectLimit) target.inspect(response.statusCode, body)
      reply.headers(response.headers).code(response.statusCode).send(body)
      return
    }
    reply.headers(response.headers).code(response.statusCode).send(response.stream)
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
  }
  return Buffer.concat(chunks)
}
