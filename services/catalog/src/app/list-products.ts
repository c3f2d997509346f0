import type { catalog } from '@emporium/contracts'
import { decodeCursor, encodeCursor } from '../domain/cursor.js'
import { listCriteria, type ListRequest } from '../domain/listing.js'
import { searchPlan } from '../domain/search-plan.js'
import { toPublicMedia } from './media-view.js'
import type { CatalogStore } from './ports.js'
import type { Spelling } from './spelling.js'

/**
 * `GET /products`: filters, sort, keyset pagination with an opaque cursor; each product with its
 * first picture (`thumbnail`), which the store reads with the page. A search whose words match
 * nothing is searched again with its spelling corrected (with `spelling`), then for names that
 * look like it (pg_trgm); its next pages continue what its first page found.
 */
export function createListProducts(deps: { store: CatalogStore; spelling?: Spelling }) {
  const { store } = deps
  return async (request: ListRequest): Promise<catalog.ProductPage> => {
    let criteria = listCriteria(request)
    const after = request.cursor ? decodeCursor(request.cursor, criteria.sort) : null
    // A corrected search's next page: the corrected words, as on its first page (corrected
    // again when its cursor could not carry them).
    let spelled: string | undefined
    if (criteria.q !== undefined && after?.spelled !== undefined) {
      spelled = after.spelled === true ? await deps.spelling?.correct(criteria.q) : after.spelled
      if (spelled !== undefined) criteria = { ...criteria, q: spelled }
    }
    const plan = searchPlan(criteria, after, store.typoSearch)
    let page = await store.listProducts(criteria, after, plan.typo)
    // No product has those words: correct their spelling ("lmap" is "lamp")...
    if (!after && criteria.q !== undefined && page.items.length === 0 && deps.spelling) {
      const corrected = await deps.spelling.correct(criteria.q)
      if (corrected !== undefined) {
        const found = await store.listProducts({ ...criteria, q: corrected }, null, false)
        if (found.items.length > 0) [page, spelled] = [found, corrected]
      }
    }
    // ... or widen to names that look like them (a typo pg_trgm sees).
    if (plan.widenIfEmpty && page.items.length === 0) {
      page = await store.listProducts(criteria, after, true)
    }
    const next = page.next && spelled !== undefined ? { ...page.next, spelled } : page.next
    const firsts = page.firstPictures
    return {
      items: page.items.map((item) => {
        const first = firsts.get(item.id)
        return first ? { ...item, thumbnail: toPublicMedia(first) } : item
      }),
      nextCursor: next ? encodeCursor(next) : null,
      ...(spelled === undefined ? {} : { correctedQuery: spelled }),
    }
  }
}
