import { AppError } from '@emporium/platform/errors'

/** Longest e-mail address (RFC 5321's path limit less the angle brackets). */
export const emailMaxLength = 254

// Deliberately plain: one @, no spaces, a dot in the domain. Deliverability is proven by mail,
// not by a regex; this only keeps obvious garbage out.
const shape = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/

/**
 * The form an e-mail is stored and compared in: trimmed and lower-cased, so that uniqueness is
 * case-insensitive with a plain unique index on every database.
 */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase()
}

/** A normalised, plausible e-mail address, or a 400 naming the field. */
export function parseEmail(raw: string): string {
  const email = normalizeEmail(raw)
  if (email.length > emailMaxLength || !shape.test(email)) {
    throw new AppError('invalid', 'USERS.INVALID_EMAIL', 'The e-mail address is not valid.', {
      details: { errors: [{ path: '/body/email', message: 'must be an e-mail address' }] },
    })
  }
  return email
}
