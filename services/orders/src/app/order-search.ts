import type { orders } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { decodeCursor, encodeCursor, type OrderCursor } from './cursor.js'
import type { ListCriteria } from './ports.js'

/** The search's filters of `GET /orders` (issue 19), as the store takes them. */
export type SearchFilters = Omit<ListCriteria, 'userId' | 'status' | 'after' | 'limit'>

/** Query fields a page's cursor is bound to: a cursor of other filters is a 400. */
const boundFields = [
  'all',
  'status',
  'number',
  'email',
  'from',
  'to',
  'minTotal',
  'maxTotal',
  'customerId',
] as const

function invalid(path: string, message: string): AppError {
  return new AppError(
    'invalid',
    'ORDERS.INVALID_QUERY',
    `The query is not valid: ${path} ${message}.`,
    {
      details: { errors: [{ path: `/querystring/${path}`, message }] },
    },
  )
}

/** `customerId` names whose orders to list among everyone's: it goes with `all=true`. */
export function customerIdNeedsAll(): AppError {
  return invalid('customerId', 'needs all=true')
}

/**
 * The filters of the query, checked beyond the schema: `from` before `to`, `minTotal` at most
 * `maxTotal` (else a 400 `ORDERS.INVALID_QUERY`). The e-mail is matched lower-cased.
 */
export function searchFilters(query: orders.ListOrdersQuery): SearchFilters {
  const from = query.from === undefined ? undefined : new Date(query.from)
  const to = query.to === undefined ? undefined : new Date(query.to)
  if (from && to && from.getTime() >= to.getTime()) throw invalid('from', 'must be before to')
  if (
    query.minTotal !== undefined &&
    query.maxTotal !== undefined &&
    query.minTotal > query.maxTotal
  ) {
    throw invalid('minTotal', 'must be at most maxTotal')
  }
  return {
    ...(query.number !== undefined && { number: query.number }),
    ...(query.email !== undefined && { emailPrefix: query.email.trim().toLowerCase() }),
    ...(from && { from }),
    ...(to && { to }),
    ...(query.minTotal !== undefined && { minTotal: query.minTotal }),
    ...(query.maxTotal !== undefined && { maxTotal: query.maxTotal }),
  }
}

/**
 * A fingerprint of the query's filters (FNV-1a, 32 bits, base 36): a cursor carries it after a
 * `.`, so that a cursor is not taken with other filters (it would skip or repeat orders). A query
 * without any filter has none: its cursors are exactly those of before issue 19.
 */
export function filtersFingerprint(query: orders.ListOrdersQuery): string | undefined {
  const parts = boundFields
    .filter((field) => query[field] !== undefined && query[field] !== false)
    .map((field) => `${field}=${String(query[field])}`)
  if (parts.length === 0) return undefined
  let hash = 0x811c9dc5
  for (const char of parts.join('&')) {
    hash ^= char.codePointAt(0)!
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(36)
}

/** The page's cursor for `query`, bound to its filters. */
export function searchCursor(query: orders.ListOrdersQuery, last: OrderCursor): string {
  const fingerprint = filtersFingerprint(query)
  const cursor = encodeCursor(last)
  return fingerprint === undefined ? cursor : `${cursor}.${fingerprint}`
}

/** Where `query`'s cursor says the page starts; a 400 `ORDERS.INVALID_CURSOR` for another's. */
export function searchAfter(query: orders.ListOrdersQuery): OrderCursor | undefined {
  if (query.cursor === undefined) return undefined
  const [cursor, fingerprint, ...rest] = query.cursor.split('.')
  if (rest.length > 0 || fingerprint !== filtersFingerprint(query)) {
    throw new AppError(
      'invalid',
      'ORDERS.INVALID_CURSOR',
      'The cursor is not valid for this list (it was made with other filters).',
      { details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] } },
    )
  }
  return decodeCursor(cursor!)
}
