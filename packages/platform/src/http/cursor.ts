import { AppError } from '../errors.js'

/** Where a page of a newest-first list ended: the last row's time and id (the tie-breaker). */
export interface TimeIdCursor {
  at: Date
  id: string
}

/** base64url of a small JSON array; opaque to clients. */
export function encodeTimeIdCursor(cursor: TimeIdCursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.id]), 'utf8').toString(
    'base64url',
  )
}

/** The cursor of `?cursor=`; a 400 with `code` (e.g. `ORDERS.INVALID_CURSOR`) when not ours. */
export function decodeTimeIdCursor(text: string, code: string): TimeIdCursor {
  const invalid = () =>
    new AppError('invalid', code, 'The cursor is not valid for this list.', {
      details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] },
    })
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalid()
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalid()
  const [at, id] = value as unknown[]
  const time = typeof at === 'string' ? parseCursorTime(at) : undefined
  if (time === undefined) throw invalid()
  if (typeof id !== 'string' || !cursorIdPattern.test(id)) throw invalid()
  return { at: time, id }
}

/** Ids in cursors are ours (UUIDs): printable ASCII, so a forged one cannot carry a NUL. */
const cursorIdPattern = /^[\x21-\x7e]{1,64}$/

const isoUtc = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/

/**
 * A cursor's time, when it is an RFC 3339 UTC time a database can compare with: years 1 to 9999
 * and a real calendar date. `Date.parse` takes more (`+275760-09-13`, year 0, `2026-02-31`),
 * which PostgreSQL refuses with an error, not an empty page.
 */
export function parseCursorTime(text: string): Date | undefined {
  const match = isoUtc.exec(text)
  if (!match) return undefined
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[]
  if (year! < 1 || hour! > 23 || minute! > 59 || second! > 59) return undefined
  const date = new Date(text)
  if (Number.isNaN(date.getTime())) return undefined
  if (date.getUTCMonth() + 1 !== month || date.getUTCDate() !== day) return undefined
  return date
}
