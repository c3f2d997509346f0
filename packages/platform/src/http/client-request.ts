import { currentContext } from '../context.js'
import { AppError } from '../errors.js'
import { injectTraceHeaders } from '../tracing.js'
import { shedHeader } from './admission.js'
import { retryAfterOf } from './upstream-breaker.js'

// What a service client sends and receives, and the pure pieces of turning one into the other.

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'DELETE' | 'OPTIONS' | 'POST' | 'PATCH'

/** Methods whose repetition has no further effect: only these are retried. */
export const idempotent: ReadonlySet<HttpMethod> = new Set<HttpMethod>([
  'GET',
  'HEAD',
  'PUT',
  'DELETE',
  'OPTIONS',
])

type QueryValue = string | number | boolean | undefined
export interface ServiceRequest {
  method: HttpMethod
  /** Path under the base URL, starting with `/`. */
  path: string
  query?: Record<string, QueryValue | QueryValue[]>
  /** Sent as JSON. */
  body?: unknown
  headers?: Record<string, string>
  /** The caller's cancellation, e.g. the incoming request's `request.signal`. */
  signal?: AbortSignal
  /**
   * How long the call may take in all, waits for `retry-after` included (default: the client's
   * `timeoutMs`). A shed answer is retried only when its wait fits what is left of it.
   */
  budgetMs?: number
}

export interface ServiceResponse<T> {
  status: number
  headers: Record<string, string | string[] | undefined>
  /** Parsed JSON, the text of another media type, or undefined when empty. */
  body: T
}

/** Seconds to wait before repeating the call, when its answer asks for it and a repeat is safe. */
export function waitFor(
  request: ServiceRequest,
  response: ServiceResponse<unknown>,
): number | undefined {
  if (response.status !== 429 && response.status !== 503) return undefined
  const seconds = retryAfterOf(response.headers)
  if (seconds === undefined) return undefined
  const notStarted = response.headers[shedHeader] === 'admission'
  return idempotent.has(request.method) || notStarted ? seconds : undefined
}

/** A shed 503 that was not repeated: `UPSTREAM.OVERLOADED`, passed on as shed. */
export function overloaded(upstream: string, response: ServiceResponse<unknown>): AppError {
  return new AppError(
    'unavailable',
    'UPSTREAM.OVERLOADED',
    `${upstream} is busy; try again shortly`,
    {
      details: {
        upstream,
        reason: 'shed',
        retryAfterSeconds: Math.max(1, retryAfterOf(response.headers) ?? 1),
        shed: 'upstream',
      },
    },
  )
}

/** Waits, or rejects with the caller's abort reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason as Error)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}

export function headersFor(request: ServiceRequest): Record<string, string> {
  const work = currentContext()
  return {
    accept: 'application/json',
    ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(work ? { 'x-request-id': work.requestId, 'x-correlation-id': work.correlationId } : {}),
    ...injectTraceHeaders(),
    ...request.headers,
  }
}

export function queryString(query: ServiceRequest['query']): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) params.append(key, String(item))
    }
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

export function parseBody(text: string, contentType: string | string[] | undefined): unknown {
  if (text === '') return undefined
  if (!String(contentType ?? '').includes('json')) return text
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
