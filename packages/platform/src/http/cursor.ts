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
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw invalid()
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalid()
  return { at: new Date(at), id }
}
