import type { catalog } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { defaultSuggestions, maxSuggestions, minTypoSearchLength } from '../domain/search-plan.js'
import type { SearchStore } from './ports.js'
import type { Spelling } from './spelling.js'

/** Longest text suggestions are asked for (the schema says so too). */
export const maxSuggestionText = 100

/**
 * `GET /products/suggestions` (issue 17): products whose name has the words typed so far, the
 * last one a prefix. When they match no name, the text with its spelling corrected (with
 * `spelling`: "lmap" suggests lamps); failing that, when the database can match names that look
 * like them (pg_trgm) and the text is long enough not to look like everything, the names that
 * look like it instead.
 */
export function createSuggestProducts(deps: { search: SearchStore; spelling?: Spelling }) {
  const { search } = deps
  return async (request: { q: string; limit?: number }): Promise<catalog.SuggestionList> => {
    const q = request.q.trim()
    if (request.q.length < 1 || request.q.length > maxSuggestionText) {
      throw invalid('/querystring/q', `must be 1 to ${maxSuggestionText} characters`)
    }
    const limit = request.limit ?? defaultSuggestions
    if (!Number.isInteger(limit) || limit < 1 || limit > maxSuggestions) {
      throw invalid('/querystring/limit', `must be 1 to ${maxSuggestions}`)
    }
    if (!q) return { items: [] }
    const items = await search.suggest(q, limit, false)
    const corrected = items.length === 0 ? await deps.spelling?.correct(q) : undefined
    if (corrected !== undefined) {
      const found = await search.suggest(corrected, limit, false)
      if (found.length > 0) return { items: found, correctedQuery: corrected }
    }
    if (items.length === 0 && search.typoSearch && q.length >= minTypoSearchLength) {
      return { items: await search.suggest(q, limit, true) }
    }
    return { items }
  }
}

function invalid(path: string, message: string): AppError {
  return new AppError(
    'invalid',
    'CATALOG.INVALID_SUGGESTIONS_QUERY',
    `${path.split('/').pop()} ${message}.`,
    {
      details: { errors: [{ path, message }] },
    },
  )
}
