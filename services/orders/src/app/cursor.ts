import { decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'

/** Where a page of orders (newest first) ended: the last order's creation time and id. */
export interface OrderCursor {
  createdAt: Date
  id: string
}

/** Opaque to clients (the platform's time-and-id cursor). */
export function encodeCursor(cursor: OrderCursor): string {
  return encodeTimeIdCursor({ at: cursor.createdAt, id: cursor.id })
}

/** The cursor of `?cursor=`; a 400 `ORDERS.INVALID_CURSOR` when it is not one of ours. */
export function decodeCursor(text: string): OrderCursor {
  const { at, id } = decodeTimeIdCursor(text, 'ORDERS.INVALID_CURSOR')
  return { createdAt: at, id }
}
