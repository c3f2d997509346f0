import type { Cursor } from './cursor.js'
import type { ListCriteria } from './listing.js'

/**
 * A search shorter than this is never widened to typos: a few letters look like too many
 * names.
 */
export const minTypoSearchLength = 4

/** Below this word similarity a name is not a typo of the search. */
export const typoSimilarityThreshold = 0.45

/**
 * What a name's likeness to the search adds to the full-text rank of a match widened for a
 * typo: a little, so that the full-text rank still orders the list first.
 */
export const typoLikenessWeight = 0.05

/** How one page of a product list is searched. */
export interface SearchPlan {
  /** Match names that look like the search's words, not the words themselves. */
  typo: boolean
  /** When this page (a first page by the words) is empty, search it again for typos. */
  widenIfEmpty: boolean
}

/**
 * A search matches its words. Only when they match nothing, and the database can match names
 * that look like them (`typoSearch`), is its first page searched again for typos; its next pages
 * continue the list their cursor comes from.
 */
export function searchPlan(
  criteria: ListCriteria,
  after: Cursor | null,
  typoSearch: boolean,
): SearchPlan {
  const typoAllowed =
    typoSearch && criteria.q !== undefined && criteria.q.length >= minTypoSearchLength
  return {
    typo: typoAllowed && after?.typo === true,
    widenIfEmpty: typoAllowed && !after,
  }
}

/** At most this many words of a search make its prefix query (a search box, not an essay). */
export const maxPrefixWords = 16

/**
 * The prefix query of a search as typed so far (issue 17): its words, all whole but the last,
 * which matches as a prefix, so that "la" finds lamps and "desk la" a desk lamp
 * (`desk & la:*`, for `to_tsquery`). Words are runs of letters and digits: nothing the shopper
 * types reaches the tsquery syntax. Undefined when there is no word, or when the search uses
 * `websearch_to_tsquery`'s syntax (a quoted phrase, `-word`, `or`), whose meaning a plain
 * conjunction would change: such a search matches whole words only.
 */
export function prefixQuery(q: string): string | undefined {
  if (usesWebsearchSyntax(q)) return undefined
  const words = (q.match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, maxPrefixWords)
  if (words.length === 0) return undefined
  return words.map((w, i) => (i === words.length - 1 ? `${w}:*` : w)).join(' & ')
}

/** Whether a search uses `websearch_to_tsquery`'s syntax: a quoted phrase, `-word` or `or`. */
export function usesWebsearchSyntax(q: string): boolean {
  return /["]|(^|\s)-\S|(^|\s)or(\s|$)/iu.test(q)
}

/**
 * The price bands of the facets (issue 17), in minor units, both ends included as in the
 * listing's `minPrice` and `maxPrice` (a band is a price filter a storefront can apply as it
 * is); the last has no ceiling. Fixed: under 10, 10 to 25, 25 to 50, 50 to 100, 100 and more.
 */
export const priceBands: ReadonlyArray<{ min: number; max: number | null }> = [
  { min: 0, max: 999 },
  { min: 1000, max: 2499 },
  { min: 2500, max: 4999 },
  { min: 5000, max: 9999 },
  { min: 10000, max: null },
]

/** Suggestions as the shopper types: how many unless asked, and at most. */
export const defaultSuggestions = 8
export const maxSuggestions = 20
