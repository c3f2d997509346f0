/** What one request came to. */
export type Outcome =
  | { kind: 'ok' }
  /** An answer that is a business outcome the shopper deals with (e.g. not enough stock). */
  | { kind: 'expected'; reason: string }
  /** 429: the gateway's rate limit (not an error: it is the platform doing its job). */
  | { kind: 'throttled' }
  | { kind: 'error'; error: string }
  /** Cut short by the load generator itself (its hard stop): not counted at all. */
  | { kind: 'aborted' }

/**
 * Problem codes that are business outcomes, not failures: a shopper asked for more than is in
 * stock, a line or cart is full, a product left the catalog between cart and checkout.
 */
export const expectedProblemCodes: ReadonlySet<string> = new Set([
  'CART.NOT_ENOUGH_STOCK',
  'CART.QUANTITY_LIMIT',
  'CART.TOO_MANY_LINES',
  'ORDERS.PRODUCT_UNAVAILABLE',
])

/** The stable `code` of a problem document, else the last part of its `type` URI. */
export function problemCode(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { code, type } = body as { code?: unknown; type?: unknown }
  if (typeof code === 'string' && code) return code
  if (typeof type === 'string' && type && type !== 'about:blank') return type
  return undefined
}

/**
 * Classifies an answer. 2xx is ok; 429 is throttled; a problem code of
 * `expectedProblemCodes`, or a status the caller says it expects (a 401 for a stale login,
 * a 409 for an e-mail already registered), is expected; anything else is an error of kind
 * `http <status> <code>`.
 */
export function classifyAnswer(
  status: number,
  body: unknown,
  expectStatuses: readonly number[] = [],
): Outcome {
  if (status >= 200 && status < 300) return { kind: 'ok' }
  if (status === 429) return { kind: 'throttled' }
  const code = problemCode(body)
  if (code && expectedProblemCodes.has(code)) return { kind: 'expected', reason: code }
  if (expectStatuses.includes(status))
    return { kind: 'expected', reason: code ? `${status} ${code}` : String(status) }
  return { kind: 'error', error: code ? `http ${status} ${code}` : `http ${status}` }
}

const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'ETIMEDOUT',
])

/** Classifies a request that got no (complete) answer: timeout, or a network error by code. */
export function classifyFailure(error: unknown, stopped: boolean): Outcome {
  if (stopped) return { kind: 'aborted' }
  const err = error as { name?: string; code?: string; cause?: { code?: string } } | undefined
  const code = err?.code ?? err?.cause?.code
  if (err?.name === 'TimeoutError' || (code && timeoutCodes.has(code)))
    return { kind: 'error', error: 'timeout' }
  return { kind: 'error', error: `network ${code ?? err?.name ?? 'error'}` }
}

/** `retry-after` in ms: delay-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: unknown, now: number = Date.now()): number | undefined {
  const text = Array.isArray(header) ? header[0] : header
  if (typeof text !== 'string' || !text.trim()) return undefined
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
