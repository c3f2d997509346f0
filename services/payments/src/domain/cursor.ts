import { AppError } from '@emporium/platform'

/** Where a page of payments (newest first) ended: the last row's creation time and id. */
export interface PaymentCursor {
  createdAt: string
  id: string
}

/** base64url of a small JSON array; opaque to clients. */
export function encodeCursor(cursor: PaymentCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id]), 'utf8').toString('base64url')
}

/** The cursor of `?cursor=`; a 400 when it is not one this service made. */
export function decodeCursor(text: string): PaymentCursor {
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor()
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidCursor()
  const [createdAt, id] = value as unknown[]
  if (typeof createdAt !== 'string' || Number.isNaN(Date.parse(createdAt))) throw invalidCursor()
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalidCursor()
  return { createdAt, id }
}

function invalidCursor(): AppError {
  return new AppError(
    'invalid',
    'PAYMENTS.INVALID_CURSOR',
    'The cursor is not valid for this list.',
    {
      details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] },
    },
  )
}
