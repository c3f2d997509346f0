import { createHash } from 'node:crypto'

/** An e-mail as the users service compares them: trimmed, case-insensitive. */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase()
}

/**
 * The account a login body targets, as a rate-limit key: a hash of the normalised e-mail, so
 * that Redis never holds addresses. Undefined when the body names none (the users service then
 * answers 400 itself). The body is read as the users service reads it (fastify's JSON parser,
 * secure-json-parse, skips a leading byte-order mark): a body the gateway could not read but the
 * users service could would be a login outside the account's limits.
 */
export function loginAccountKey(body: Buffer | undefined): string | undefined {
  if (!body || body.length === 0) return undefined
  let parsed: unknown
  try {
    const text = body.toString('utf8')
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch {
    return undefined
  }
  const email = (parsed as { email?: unknown } | null)?.email
  if (typeof email !== 'string' || normalizeEmail(email) === '') return undefined
  const digest = createHash('sha256').update(normalizeEmail(email)).digest('hex')
  return `acct:${digest.slice(0, 32)}`
}
