/**
 * Whether an error is a database's "data exception": a value the database refused (a NUL in
 * text, a number out of a column's range, a date it cannot represent), PostgreSQL's SQLSTATE
 * class 22 and MySQL/MariaDB's equivalents. The request's schemas are meant to refuse such
 * values first; when one slips through, it is the request's value that is wrong, not the
 * service: the HTTP layer answers 400 (and logs a warning, as the schema should be tightened)
 * instead of a 500. Looks through `cause` chains, as query layers wrap the driver's error.
 */
export function isDataException(error: unknown): boolean {
  const seen = new Set<unknown>()
  let current = error
  while (typeof current === 'object' && current !== null && !seen.has(current)) {
    seen.add(current)
    const { code, severity, sqlState, cause } = current as {
      code?: unknown
      severity?: unknown
      sqlState?: unknown
      cause?: unknown
    }
    // node-postgres and PGlite: a SQLSTATE in `code`, with the server's `severity` beside it.
    if (typeof code === 'string' && typeof severity === 'string' && /^22[0-9A-Z]{3}$/.test(code))
      return true
    // mysql2: the SQLSTATE in `sqlState`; some value errors are filed under the catch-all HY000.
    if (typeof sqlState === 'string' && /^22[0-9A-Z]{3}$/.test(sqlState)) return true
    if (typeof code === 'string' && mysqlValueErrors.has(code)) return true
    current = cause
  }
  return false
}

/** MySQL/MariaDB value errors whose SQLSTATE is HY000: "Incorrect string value" and kin. */
const mysqlValueErrors = new Set([
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_INVALID_CHARACTER_STRING',
  'ER_CANNOT_CONVERT_STRING',
])
