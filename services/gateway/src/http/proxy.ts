import { Stream, type Readable } from 'node:stream'
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
import type { Dispatcher } from 'undici'
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
import { upstreamRequestHeaders } from './forward-headers.js'
import { UpstreamAnswer } from './upstream-answer.js'
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
  /** Given a small answer read whole, with the upstream's `surrogate-control` (read-cache.ts). */
  keep?: (response: UpstreamResponse, body: Buffer) => void
}

// Far above any answer `inspect` is for; a larger one is passed on without being shown.
const inspectLimit = 64 * 1024

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])

/**
 * Forwards a request on undici's pool of the upstream's instance, streaming both bodies (event
 * streams too); the answer's headers are filtered once, as it comes.
 * Instances are tried in turn: one that refuses the connection or answers 503 rests for a
 * cool-down, and the request goes to the next when it can be sent again (nothing sent yet, or
 * a bodiless or buffered idempotent call). The upstream's circuit breaker counts infrastructure
 * failures (no answer, 502-504) as a share of its calls; open, it answers 503 at once. No answer
 * in time is a 504; unreachable, a 503 with `retry-after`. Any other 5xx is the upstream's bug:
 * passed on (counted, logged), never held against the upstream or its instance. A 5xx that is not
 * a problem document becomes a generic one (nothing of the upstream leaks).
 */
export function createProxy(deps: {
  /** The undici dispatcher upstream calls go through (timeouts, connection pools). */
  dispatcher: Dispatcher
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
      const url = request.raw.url ?? ''
      const query = url.indexOf('?')
      const headers = upstreamRequestHeaders(request.raw.headers, forwardContext(request))
      headers.host = hostOf(base)
      let body: Buffer | Readable | undefined
      if (target.body !== undefined) {
        body = target.body
        headers['content-length'] = String(target.body.length)
        headers['content-type'] ??= 'application/octet-stream'
      } else if (request.body instanceof Stream) {
        body = request.body as Readable
      }
      const options: Dispatcher.DispatchOptions = {
        origin: base,
        path: query === -1 ? target.path : target.path + url.slice(query),
        method: request.method as Dispatcher.HttpMethod,
        headers: headers as Record<string, string | string[]>,
        body: body ?? null,
      }
      const answer = new UpstreamAnswer(request.method, (error, response) => {
        if (error) {
          // As undici's own request() does: the client's body stream is not read any further.
          if (body instanceof Stream) body.on('error', () => undefined).destroy(error)
          settle(() => reject(classify(target.upstream, error)))
        }
        // Nobody waits for it any more (the client left, or was answered at a deadline).
        else if (settled) discard(response!)
        else settle(() => resolve(response!))
      })
      // The client left before the answer came (a small one: before its end): the upstream's
      // request is given up.
      const onClose = () =>
        settle(() => {
          answer.abort(new ClientGone())
          reject(new ClientGone())
        })
      reply.raw.once('close', onClose)
      deps.dispatcher.dispatch(options, answer)
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
          discard(response)
          continue
        }
        return response
      }
      if (response.statusCode === 503) {
        upstream.markDown(base)
        last = new ServerFault(upstream.name, response, 503)
        if (resendable && idempotent.has(request.method) && tried.size < upstream.instances) {
          discard(response)
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
      if (response) discard(response)
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
      discard(response)
      throw replacement(response, upstream)
    }
    // An HTTP/1 connection cannot take the client's next request until this one's body has been
    // read: when the upstream answered before it was, the connection ends with the answer.
    if (!request.raw.complete) reply.header('connection', 'close')
    const inspect =
      target.inspect && response.statusCode < 300 && !response.headers['content-encoding']
        ? target.inspect
        : undefined
    if (response.body === undefined && !inspect) {
      reply.headers(response.headers).code(response.statusCode).send(response.stream)
      return
    }
    // A small answer was read whole (upstream-answer.ts) and goes out in one write, with none of
    // a stream's piping (most answers are a few kilobytes of JSON); the routes that inspect read
    // theirs whole (a few hundred bytes).
    let body = response.body
    if (body === undefined) {
      try {
        body = await readAll(response.stream!)
      } catch (error) {
        // The upstream's connection broke, or went silent past the idle timeout, mid-body.
        throw clientError(classify(target.upstream, error), upstream)
      }
      if (reply.sent) return
    }
    if (inspect && body.length <= inspectLimit) inspect(response.statusCode, body)
    // Small answers only (a larger one streams past the cache).
    if (response.surrogate !== undefined && response.body !== undefined) {
      target.keep?.(response, body)
    }
    reply.headers(response.headers).code(response.statusCode).send(body)
  }
}

const hosts = new Map<string, string>()

/** The `host` an instance's base URL names (parsed once per instance, not per request). */
function hostOf(base: string): string {
  let host = hosts.get(base)
  if (host === undefined) {
    host = new URL(base).host
    hosts.set(base, host)
  }
  return host
}

/** The whole body of an answer that was not read already (a route that inspects a large one). */
async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))
  }
  return Buffer.concat(chunks)
}
