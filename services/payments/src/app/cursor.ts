import { decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'

/** Where a page of payments (newest first) ended: the last row's creation time and id. */
export interface PaymentCursor {
  /** RFC 3339. */
  createdAt: string
  id: string
}

/** Opaque to clients (the platform's time-and-id cursor). */
export function encodeCursor(cursor: PaymentCursor): string {
  return encodeTimeIdCursor({ at: new Date(cursor.createdAt), id: cursor.id })
}

/** The cursor of `?cursor=`; a 400 `PAYMENTS.INVALID_CURSOR` when it is not one of ours. */
export function decodeCursor(text: string): PaymentCursor {
  const { at, id } = decodeTimeIdCursor(text, 'PAYMENTS.INVALID_CURSOR')
  return { createdAt: at.toISOString(), id }
}
