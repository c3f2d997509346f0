import type { catalog } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from '../domain/cursor.js'
import { listCriteria, type ListRequest } from '../domain/listing.js'
import { searchPlan } from '../domain/search-plan.js'
import type { CatalogStore } from './ports.js'

/** `GET /products`: filters, sort, keyset pagination with an opaque cursor. */
export function createListProducts(deps: { store: CatalogStore }) {
  const { store } = deps
  return async (request: ListRequest): Promise<catalog.ProductPage> => {
    const criteria = listCriteria(request)
    const after = request.cursor ? decodeCursor(request.cursor, criteria.sort) : null
    const plan = searchPlan(criteria, after, store.typoSearch)
    let page = await store.listProducts(criteria, after, plan.typo)
    // No product has those words: widen to names that look like them (a typo).
    if (plan.widenIfEmpty && page.items.length === 0) {
      page = await store.listProducts(criteria, after, true)
    }
    return {
      items: page.items,
      nextCursor: page.next ? encodeCursor(page.next) : null,
    }
  }
}
