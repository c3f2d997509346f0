import { AppError } from '@emporium/platform/errors'
import type { SortOrder } from './cursor.js'

export interface ListRequest {
  q?: string
  category?: string
  minPrice?: number
  maxPrice?: number
  sort?: SortOrder
  limit?: number
  cursor?: string
  /** Admins only (the route checks): drafts, published products or all (issue 17). */
  status?: ListStatus
}

/** Which products a list shows by status: shoppers only ever `published` (issue 17). */
export type ListStatus = 'draft' | 'published' | 'all'

/** A checked list request: the search text trimmed (undefined when blank), the sort resolved. */
export interface ListCriteria {
  q?: string
  category?: string
  minPrice?: number
  maxPrice?: number
  sort: SortOrder
  limit: number
  /** Published products when absent. */
  status?: ListStatus
}

export const defaultLimit = 20
export const maxLimit = 100

/**
 * Resolves defaults and checks what the schema cannot: a price range that is empty, and the
 * sort. `relevance` is meaningful only with a search; without one the list is `newest`.
 */
export function listCriteria(request: ListRequest): ListCriteria {
  const q = request.q?.trim() ? request.q.trim() : undefined
  const { minPrice, maxPrice } = request
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw new AppError('invalid', 'CATALOG.INVALID_PRICE_RANGE', 'minPrice is above maxPrice.', {
      details: { errors: [{ path: '/querystring/minPrice', message: 'must be at most maxPrice' }] },
    })
  }
  const limit = request.limit ?? defaultLimit
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    throw new AppError('invalid', 'CATALOG.INVALID_LIMIT', `limit must be 1 to ${maxLimit}.`, {
      details: { errors: [{ path: '/querystring/limit', message: `must be 1 to ${maxLimit}` }] },
    })
  }
  let sort: SortOrder = request.sort ?? (q ? 'relevance' : 'newest')
  if (sort === 'relevance' && !q) sort = 'newest'
  const category = request.category?.trim() ? request.category.trim() : undefined
  const criteria: ListCriteria = { q, category, minPrice, maxPrice, sort, limit }
  if (request.status !== undefined) criteria.status = request.status
  return criteria
}
