/**
 * Whether an error says a service's own data store or broker could not be reached or dropped
 * the connection (a restart, a failover, a network cut), rather than that the request or the
 * code is wrong. Such a request failed for now and may be retried: the HTTP layer answers 503
 * with `retry-after` instead of 500. Looks through `cause` chains and AggregateErrors (node's
 * `connect` to several addresses), as drivers wrap the socket error.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>()
  const pending: unknown[] = [error]
  while (pending.length > 0) {
    const current = pending.pop()
    if (typeof current !== 'object' || current === null || seen.has(current)) continue
    seen.add(current)
    const { code, message, cause, errors, name } = current as {
      code?: unknown
      message?: unknown
      cause?: unknown
      errors?: unknown
      name?: unknown
    }
    if (typeof code === 'string' && (socketCodes.has(code) || unavailableSqlStates(code)))
      return true
    if (name === 'MaxRetriesPerRequestError') return true
    if (typeof message === 'string' && messages.some((pattern) => pattern.test(message)))
      return true
    if (cause !== undefined) pending.push(cause)
    if (Array.isArray(errors)) pending.push(...(errors as unknown[]))
  }
  return false
}

/** Socket errors (node), and MySQL/MariaDB's lost-connection codes (mysql2). */
const socketCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
])

/**
 * PostgreSQL SQLSTATEs: class 08 (connection exception) and 57P01–57P03 (admin shutdown, crash
 * shutdown, cannot connect now: a server stopping or starting).
 */
function unavailableSqlStates(code: string): boolean {
  return /^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03'
}

/** Drivers that say it only in words: node-postgres and its pool, ioredis. */
const messages = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /is not queryable$/,
  /^Connection is closed\.$/,
  /^Stream isn't writeable/,
]
