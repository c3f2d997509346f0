import type { Readable } from 'node:stream'
import { AppError, isAppError } from '@emporium/platform'
import type { Upstream } from '../app/ports.js'
import { ClientGone, ConnectFault, SocketFault, TimeoutFault } from '../domain/upstream-faults.js'
import { isBodyTooLarge } from './body.js'

/** An upstream's answer: a small body read whole, any other still to read (upstream-answer.ts). */
export interface UpstreamResponse {
  statusCode: number
  /** As the client gets them (forward-headers.ts). */
  headers: Record<string, string | string[] | number | undefined>
  /** The whole body of a small answer. */
  body?: Buffer
  /** The body of any other (an event stream, a large or bodiless answer), as it comes. */
  stream?: Readable
  /** The upstream's `surrogate-control`, meant for the gateway's read cache alone. */
  surrogate?: string
}

export function isProblem(headers: UpstreamResponse['headers']): boolean {
  return String(headers['content-type'] ?? '').startsWith('application/problem+json')
}

/**
 * Drops an answer that will not be passed on: a small one was read already; a stream is given up
 * (its upstream connection closed unless it had ended: an event stream never would).
 */
export function discard(response: UpstreamResponse): void {
  const stream = response.stream
  if (!stream) return
  stream.on('error', () => undefined)
  stream.destroy()
}

const connectCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
])
const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'FST_REPLY_FROM_GATEWAY_TIMEOUT',
  'FST_REPLY_FROM_TIMEOUT',
])

const refusedCodes = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED'])

/** A transport failure as the fault it is; the cause chain holds undici's error code. */
export function classify(upstream: string, error: unknown): unknown {
  const chain: Array<{ code?: string; statusCode?: number; message?: string }> = []
  for (let e: unknown = error; e && chain.length < 5; e = (e as { cause?: unknown }).cause)
    chain.push(e as object)
  const bodyTooLarge = chain.find(isBodyTooLarge)
  if (bodyTooLarge) return bodyTooLarge
  if (chain.some((e) => e.statusCode === 400 && /invalid characters/.test(e.message ?? ''))) {
    return new AppError('invalid', 'HTTP.BAD_PATH', 'The request path is not valid.')
  }
  const codes = chain.map((e) => e.code ?? '')
  // Undici refused to send what the client asked for (a header it will not carry): nothing
  // reached the upstream, so it is the request's fault, not the upstream's.
  if (codes.some((code) => refusedCodes.has(code))) {
    return new AppError('invalid', 'HTTP.BAD_REQUEST', 'The request cannot be forwarded.')
  }
  if (codes.some((code) => timeoutCodes.has(code)))
    return new TimeoutFault(upstream, 'no answer in time', { cause: error })
  if (codes.some((code) => connectCodes.has(code)))
    return new ConnectFault(upstream, 'unreachable', { cause: error })
  return new SocketFault(upstream, 'connection failed', { cause: error })
}

/** The `status` label of a forwarded request that got no answer. */
export function outcomeOf(failure: unknown): string {
  if (failure instanceof TimeoutFault) return 'timeout'
  if (failure instanceof ConnectFault) return 'unreachable'
  if (failure instanceof SocketFault) return 'connection_failed'
  if (failure instanceof ClientGone) return 'client_gone'
  if (isAppError(failure) && failure.details.reason === 'circuit_open') return 'circuit_open'
  return 'error'
}

/** A failure as the problem the client gets. */
export function clientError(failure: unknown, upstream: Upstream): unknown {
  const name = upstream.name
  if (failure instanceof TimeoutFault) {
    return new AppError(
      'timeout',
      'UPSTREAM.TIMEOUT',
      `The ${name} service did not answer in time.`,
      { details: { upstream: name } },
    )
  }
  if (failure instanceof ConnectFault) {
    return new AppError(
      'unavailable',
      'UPSTREAM.UNAVAILABLE',
      `The ${name} service is unavailable.`,
      {
        details: {
          retryAfterSeconds: upstream.retryAfterSeconds(),
          upstream: name,
          reason: 'unreachable',
        },
      },
    )
  }
  if (failure instanceof SocketFault) {
    return new AppError(
      'bad_gateway',
      'UPSTREAM.BAD_GATEWAY',
      `The ${name} service failed to answer.`,
      { details: { upstream: name } },
    )
  }
  return failure
}

/** The generic problem that stands for a 5xx answer that is not a problem document. */
export function replacement(response: UpstreamResponse, upstream: Upstream): AppError {
  const name = upstream.name
  if (response.statusCode === 503) {
    const retryAfter = Number(response.headers['retry-after'])
    return new AppError(
      'unavailable',
      'UPSTREAM.UNAVAILABLE',
      `The ${name} service is unavailable.`,
      {
        details: {
          retryAfterSeconds:
            Number.isFinite(retryAfter) && retryAfter > 0
              ? retryAfter
              : upstream.retryAfterSeconds(),
          upstream: name,
        },
      },
    )
  }
  if (response.statusCode === 504) {
    return new AppError(
      'timeout',
      'UPSTREAM.TIMEOUT',
      `The ${name} service did not answer in time.`,
      { details: { upstream: name } },
    )
  }
  return new AppError(
    'bad_gateway',
    'UPSTREAM.BAD_GATEWAY',
    `The ${name} service failed to answer.`,
    { details: { upstream: name } },
  )
}
