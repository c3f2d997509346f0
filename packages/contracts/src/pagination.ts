import Type from 'typebox'
import { CursorParam } from './text.js'

/** Query string of every list: `?limit=` (1..100, default 20) and an opaque `?cursor=`. */
export const PageQuery = Type.Object({
  /** Page size, at most 100. */
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor: Type.Optional(CursorParam),
})

/** A page of a list: the items and the cursor of the next page, or null at the end. */
export function Page<T extends Type.TSchema>(item: T) {
  return Type.Object({
    /** The items of this page. */
    items: Type.Array(item),
    /** Pass as `?cursor=` to get the next page; null when this is the last. */
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  })
}
