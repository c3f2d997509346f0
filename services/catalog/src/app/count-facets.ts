import type { catalog } from '@emporium/contracts'
import { listCriteria } from '../domain/listing.js'
import { searchPlan } from '../domain/search-plan.js'
import type { SearchStore } from './ports.js'
import type { Spelling } from './spelling.js'

/** The filters of `GET /products/facets`: the listing's. */
export interface FacetsRequest {
  q?: string
  category?: string
  minPrice?: number
  maxPrice?: number
}

/**
 * `GET /products/facets` (issue 17): counts of the products the listing's filters match, each
 * facet counted with the other filters applied. A search whose words match nothing is corrected
 * (with `spelling`) or widened to typos as the listing's first page is, so the counts describe
 * the list the shopper sees.
 */
export function createCountFacets(deps: { search: SearchStore; spelling?: Spelling }) {
  const { search } = deps
  return async (request: FacetsRequest): Promise<catalog.ProductFacets> => {
    // The listing's checks (an empty price range is a 400) and its trimming.
    const criteria = listCriteria(request)
    const counts = await search.facets(criteria, false)
    if (counts.total === 0 && criteria.q !== undefined && deps.spelling) {
      const corrected = await deps.spelling.correct(criteria.q)
      if (corrected !== undefined) {
        const found = await search.facets({ ...criteria, q: corrected }, false)
        if (found.total > 0) return found
      }
    }
    if (counts.total === 0 && searchPlan(criteria, null, search.typoSearch).widenIfEmpty) {
      return search.facets(criteria, true)
    }
    return counts
  }
}
