import { AppError } from '@emporium/platform'

/** Where a page of orders (newest first) ended: the last order's creation time and id. */
export interface OrderCursor {
  createdAt: Date
  id: string
}

/** base64url of a small JSON array; opaque to clients. */
export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id]), 'utf8').toString(
    'base64url',
  )
}

/** The cursor of `?cursor=`; a 400 `ORDERS.INVALID_CURSOR` when it is not one of ours. */
export function decodeCursor(text: string): OrderCursor {
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor()
  }
  if (!Array.isArray(value) || value.length !== 2) throw invalidCursor()
  const [at, id] = value as unknown[]
  if (typeof at !== 'string' || Number.isNaN(Date.parse(at))) throw invalidCursor()
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) throw invalidCursor()
  return { createdAt: new Date(at), id }
}

function invalidCursor(): AppError {
  return new AppError(
    'invalid',
    'ORDERS.INVALID_CURSOR',
    'The cursor is not valid for this list.',
    {
      details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] },
    },
  )
}
