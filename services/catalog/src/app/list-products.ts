import type { catalog } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from '../domain/cursor.js'
import { listCriteria, type ListRequest } from '../domain/listing.js'
import { searchPlan } from '../domain/search-plan.js'
import { toPublicMedia } from './media-view.js'
import type { CatalogStore, MediaStore } from './ports.js'

/**
 * `GET /products`: filters, sort, keyset pagination with an opaque cursor. With a media store,
 * each product's first picture (`thumbnail`), read for the whole page at once.
 */
export function createListProducts(deps: { store: CatalogStore; media?: MediaStore }) {
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
    const firsts = deps.media
      ? await deps.media.firstPictures(page.items.map((item) => item.id))
      : new Map()
    return {
      items: page.items.map((item) => {
        const first = firsts.get(item.id)
        return first ? { ...item, thumbnail: toPublicMedia(first) } : item
      }),
      nextCursor: page.next ? encodeCursor(page.next) : null,
    }
  }
}
