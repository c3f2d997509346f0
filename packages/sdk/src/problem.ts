// Errors of the public API as one typed error: every error response is an RFC 9457 problem
// document (`application/problem+json`, the `Problem` schema); `code` is the stable key to
// branch on (`ORDERS.NOT_CANCELLABLE`).
import type { components } from './schema.js'

/** An RFC 9457 problem document, as the API sends it. */
export type Problem = components['schemas']['Problem']

/** What a field-by-field 400 lists: the failing field's JSON pointer and why. */
export type FieldProblem = NonNullable<Problem['errors']>[number]

/** A failed answer of the API: its problem document, its status and what its headers said. */
export class EmporiumProblem extends Error implements Problem {
  override readonly name = 'EmporiumProblem'
  readonly status: number
  readonly type: string
  readonly title: string
  readonly detail: string
  /** The stable error code (`CART.OUT_OF_STOCK`), when the error has one. */
  readonly code?: string
  readonly instance?: string
  /** The failing fields of a validation error. */
  readonly errors?: FieldProblem[]
  /** Seconds to wait before trying again, from `retry-after` (a 429, or a 503 while shedding). */
  readonly retryAfter?: number
  /** The `x-request-id` of the answer, to quote to an operator. */
  readonly requestId?: string
  /** The answer's headers (`x-emporium-shed`, `ratelimit-*`…). */
  readonly headers?: Headers

  constructor(problem: Problem, answer: { headers?: Headers } = {}) {
    super(problem.detail || problem.title)
    this.status = problem.status
    this.type = problem.type
    this.title = problem.title
    this.detail = problem.detail
    if (problem.code !== undefined) this.code = problem.code
    if (problem.instance !== undefined) this.instance = problem.instance
    if (problem.errors !== undefined) this.errors = problem.errors
    if (answer.headers) {
      this.headers = answer.headers
      const retryAfter = retryAfterSeconds(answer.headers.get('retry-after'))
      if (retryAfter !== undefined) this.retryAfter = retryAfter
      const requestId = answer.headers.get('x-request-id')
      if (requestId) this.requestId = requestId
    }
  }

  /**
   * The error of a failed `response` whose body openapi-fetch parsed as `body` (JSON when it
   * was, else its text). An answer that is no problem document (a proxy's HTML page, an empty
   * 502) still becomes one, from its status.
   */
  static from(body: unknown, response: Response): EmporiumProblem {
    const headers = response.headers
    if (isProblem(body))
      return new EmporiumProblem({ ...body, status: response.status }, { headers })
    const title = response.statusText || `HTTP ${response.status}`
    const detail = typeof body === 'string' ? body.trim().slice(0, 500) : ''
    return new EmporiumProblem(
      { type: 'about:blank', title, status: response.status, detail },
      { headers },
    )
  }
}

const isProblem = (body: unknown): body is Problem => {
  const value = body as Partial<Problem> | null
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.title === 'string' &&
    typeof value.status === 'number'
  )
}

/** `retry-after` in seconds: delta-seconds, or an HTTP date from now; undefined when absent. */
export function retryAfterSeconds(value: string | null | undefined): number | undefined {
  if (value == null || value.trim() === '') return undefined
  if (/^\s*\d+\s*$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000))
}

/** What every call of the client resolves with (openapi-fetch's `{ data, error, response }`). */
export interface CallResult<Data> {
  data?: Data
  error?: unknown
  response: Response
}

/**
 * The body of a successful call, or a throw of its EmporiumProblem:
 * `const product = await unwrap(api.GET('/api/v1/products/{id}', { params: { path: { id } } }))`.
 * A network failure rejects as fetch does (a TypeError; an AbortError when aborted).
 */
export async function unwrap<Data>(call: Promise<CallResult<Data>> | CallResult<Data>) {
  const { data, error, response } = await call
  if (!response.ok) throw EmporiumProblem.from(error, response)
  return data as Data
}
