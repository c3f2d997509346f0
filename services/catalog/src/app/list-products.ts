import type { catalog } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from '../domain/cursor.js'
import { listCriteria, type ListRequest } from '../domain/listing.js'
import type { CatalogStore } from './ports.js'

/** `GET /products`: filters, sort, keyset pagination with an opaque cursor. */
export function createListProducts(deps: { store: CatalogStore }) {
  return async (request: ListRequest): Promise<catalog.ProductPage> => {
    const criteria = listCriteria(request)
    const after = request.cursor ? decodeCursor(request.cursor, criteria.sort) : null
    const page = await deps.store.listProducts(criteria, after)
    return {
      items: page.items,
      nextCursor: page.next ? encodeCursor(page.next) : null,
    }
  }
}
