import { AppError } from '@emporium/platform/errors'

/** The orders a product list can be in (`relevance` only with a search). */
export type SortOrder = 'relevance' | 'price_asc' | 'price_desc' | 'newest'

/**
 * Where a page ended: the sort order, the last row's sort key and its id (the tie-breaker).
 * The key is a price (integer), a creation time (ISO string) or a rank (decimal string).
 * `typo` marks a search whose words matched nothing, widened to names that look like them:
 * its next pages continue that widened list. `spelled` marks a search whose words matched
 * nothing but whose spelling corrected did (issue 17): its next pages continue the corrected
 * search. It is the corrected text, so that they do whatever the vocabulary has become since, or
 * `true` when that text would make the cursor too long (a long search of letters outside ASCII):
 * the next page corrects the search again.
 */
export interface Cursor {
  sort: SortOrder
  key: string | number
  id: string
  typo?: true
  spelled?: string | true
}

const sorts = new Set<SortOrder>(['relevance', 'price_asc', 'price_desc', 'newest'])

/** base64url of a small JSON array; opaque to clients; at most `maxCursorLength` characters. */
export function encodeCursor(cursor: Cursor): string {
  const fields = [cursor.sort, cursor.key, cursor.id]
  const encode = (marks: Array<string | number>) =>
    Buffer.from(JSON.stringify([...fields, ...marks]), 'utf8').toString('base64url')
  if (cursor.typo) return encode([typoMark])
  if (cursor.spelled === true) return encode([respellMark])
  if (cursor.spelled !== undefined) {
    const text = encode([spelledMark, cursor.spelled])
    return text.length <= maxCursorLength ? text : encode([respellMark])
  }
  return encode([])
}

/** The longest `?cursor=` the contracts take. */
export const maxCursorLength = 512
const typoMark = 'typo'
const spelledMark = 'spelled'
const respellMark = 'respell'
/** A corrected search is the search (at most 200 characters) with a few letters more. */
const maxSpelledLength = 300

/** The cursor of `?cursor=`, checked against the sort it must continue; 400 when it is not one. */
export function decodeCursor(text: string, sort: SortOrder): Cursor {
  let value: unknown
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new Error('not base64url')
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
  } catch {
    throw invalidCursor()
  }
  if (!Array.isArray(value) || value.length < 3 || value.length > 5) throw invalidCursor()
  const [s, key, id, mark, spelled] = value as unknown[]
  if (value.length === 4 && mark !== typoMark && mark !== respellMark) throw invalidCursor()
  if (value.length === 5 && (mark !== spelledMark || !isSpelled(spelled))) throw invalidCursor()
  if (typeof s !== 'string' || !sorts.has(s as SortOrder) || s !== sort) throw invalidCursor()
  if (typeof id !== 'string' || !idPattern.test(id)) throw invalidCursor()
  if (s === 'newest') {
    if (typeof key !== 'string' || !isCursorTime(key)) throw invalidCursor()
  } else if (s === 'relevance') {
    if (typeof key !== 'string' || !/^\d{1,6}(\.\d{1,9})?$/.test(key)) throw invalidCursor()
  } else if (typeof key !== 'number' || !Number.isSafeInteger(key) || key < 0 || key > maxPrice) {
    throw invalidCursor()
  }
  const cursor: Cursor = { sort: s as SortOrder, key: key as string | number, id }
  if (mark === typoMark) cursor.typo = true
  if (mark === spelledMark) cursor.spelled = spelled as string
  if (mark === respellMark) cursor.spelled = true
  return cursor
}

// As the contracts' `Text`: a code unit that is not a C0 control, DEL or a surrogate, or a pair.
const safeText = new RegExp(
  String.raw`^(?:[^\u0000-\u001F\u007F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$`,
)

/**
 * A corrected search as a search is taken (the contracts' text): no control character, no lone
 * surrogate, and a character that is not a space.
 */
function isSpelled(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= maxSpelledLength &&
    /\S/.test(value) &&
    safeText.test(value)
  )
}

// Ids are ours (UUIDs): printable ASCII, so a forged cursor cannot carry a NUL to the database.
const idPattern = /^[\x21-\x7e]{1,64}$/
// Prices are bigint columns; no price is above the contracts' maximum (10^11).
const maxPrice = 100_000_000_000
const isoUtc = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/

/**
 * Whether a cursor's time is one PostgreSQL can compare with: RFC 3339 UTC, years 1 to 9999, a
 * real calendar date. `Date.parse` takes more (`+275760-09-13`, year 0), which the query refuses.
 */
function isCursorTime(text: string): boolean {
  const match = isoUtc.exec(text)
  if (!match) return false
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as number[]
  if (year! < 1 || hour! > 23 || minute! > 59 || second! > 59) return false
  const date = new Date(text)
  return date.getUTCMonth() + 1 === month && date.getUTCDate() === day
}

function invalidCursor(): AppError {
  return new AppError(
    'invalid',
    'CATALOG.INVALID_CURSOR',
    'The cursor is not valid for this list.',
    {
      details: { errors: [{ path: '/querystring/cursor', message: 'is not a valid cursor' }] },
    },
  )
}
