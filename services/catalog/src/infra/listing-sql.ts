import type { catalog } from '@emporium/contracts'
import type { Cursor } from '../domain/cursor.js'
import type { ListCriteria } from '../domain/listing.js'
import { defaultImageUrl } from '../domain/product-image.js'
import { prefixQuery, typoLikenessWeight } from '../domain/search-plan.js'
import { pictureJson, type PictureJson } from './media-json.js'

/** One statement of a product list: its text, its parameters, and whether to prepare it. */
export interface ListingSql {
  text: string
  parameters: unknown[]
  /**
   * Whether one plan is good for any values, so that the statement can be prepared and planned
   * once per connection (`oneGoodPlan`); otherwise it is planned for its values each time.
   */
  prepare: boolean
}

/**
 * The page query of `GET /products`: `limit + 1` rows (one more says there is a next page) in
 * the sort's order, after the cursor. The products are chosen and limited first, from the
 * sort's partial index (`WHERE deleted_at IS NULL`, ending in the id tie-breaker, which the
 * keyset condition continues), and only that page is joined with its categories and sums its
 * variants' stock (by the stock's product index, row by row: never a join of the whole stock
 * table, whatever the plan). Prices are the product's cheapest and dearest variant's, kept on
 * the product, so a list reads no variant (but a price range's few products of several prices). A
 * search matches with the full-text GIN index and ranks only what matched. With `typo`, the
 * fallback of a search whose words match nothing, it matches names that look like the words
 * instead (pg_trgm's `%>`, from the trigram index; the caller sets the threshold), ranked as
 * before: full-text rank plus a little for the name's likeness (search-plan.ts says how much).
 * Each product of the page comes with its gallery's first picture (`first_picture`), so that a
 * page costs one round trip to the database, not two (issue 20: a listing the read caches have
 * not seen).
 */
export function listingSql(criteria: ListCriteria, after: Cursor | null, typo = false): ListingSql {
  const parameters: unknown[] = []
  const param = (value: unknown, type?: string) => {
    parameters.push(value)
    return type ? `$${parameters.length}::${type}` : `$${parameters.length}`
  }
  const where = ['p.deleted_at is null', ...statusCondition(criteria.status)]
  if (criteria.category !== undefined) {
    where.push(categoryCondition(param(criteria.category, 'text')))
  }
  const prepare = !typo && oneGoodPlan(criteria)
  // Each branch's own conditions; the page is their union (see `priceBranches`). In a prepared
  // list the floor is a subquery's value: the planner then has no number to estimate the
  // branches by, plans every run alike, and so moves to the generic plan after five runs (with
  // the number, each run's custom plan looked a little cheaper for its own floor, and the union
  // was planned anew at every request, twice the database's time of a page by price).
  const floor = criteria.minPrice === undefined ? undefined : param(criteria.minPrice, 'bigint')
  const branches = priceBranches(
    criteria,
    floor === undefined || !prepare || criteria.q !== undefined ? floor : `(select ${floor})`,
    criteria.maxPrice === undefined ? undefined : param(criteria.maxPrice, 'bigint'),
  )
  let rank = ''
  if (criteria.q !== undefined) {
    const q = param(criteria.q, 'text')
    const query = `websearch_to_tsquery('english', ${q})`
    if (typo) {
      // The words matched nothing (that is when the caller asks for typos): names alone.
      where.push(`lower(p.name) %> lower(${q})`)
      // Full-text rank first; a near miss of the name adds a little.
      rank = `round((ts_rank(p.search, ${query}) + ${typoLikenessWeight} * word_similarity(lower(${q}), lower(p.name)))::numeric, 6)`
    } else {
      const { match, rank: ranked } = searchTerms(q, criteria.q, param)
      where.push(match)
      rank = ranked
    }
  }
  let order: string
  switch (criteria.sort) {
    case 'price_asc':
      order = 'p.price_amount, p.id'
      if (after)
        where.push(`(p.price_amount, p.id) > (${param(after.key, 'bigint')}, ${param(after.id)})`)
      break
    case 'price_desc':
      order = 'p.price_amount desc, p.id desc'
      if (after)
        where.push(`(p.price_amount, p.id) < (${param(after.key, 'bigint')}, ${param(after.id)})`)
      break
    case 'relevance':
      // The keyset condition on the rank is applied above the ranking (see below).
      order = 'p.rank desc, p.id desc'
      break
    default:
      order = 'p.created_at desc, p.id desc'
      if (after) {
        where.push(
          `(p.created_at, p.id) < (${param(after.key, 'timestamptz')}, ${param(after.id)})`,
        )
      }
  }
  const ranked = criteria.sort === 'relevance'
  const columns = `p.id, p.sku, p.name, p.description, p.price_amount, p.max_price_amount,
    p.variant_count, p.price_currency, p.image_url, p.category_id, p.created_at, p.status,
    p.tax_class`
  const limit = `limit ${criteria.limit + 1}`
  const select = (conditions: string[]) => `select ${columns}
  from products p
  where ${[...where, ...conditions].join('\n    and ')}
  order by ${order}
  ${limit}`
  // Each branch reads its own index in the sort's order; the union is at most two pages.
  let prefix = ''
  let page =
    branches.length === 1
      ? select(branches[0]!)
      : `select * from (
    ${branches.map((b) => `(${select(b)})`).join('\n    union all\n    ')}
  ) p
  order by ${order}
  ${limit}`
  if (criteria.q !== undefined) {
    // A search has one branch (see priceBranches).
    where.push(...branches[0]!)
    // A search takes what its words match from the GIN index, then sorts that: `offset 0`
    // keeps PostgreSQL from walking the sort's index instead, filtering by the words, which
    // can read most of the catalog when the matches sit at the far end of it (the cheapest
    // shirts are dearer than most products), and from pushing the cursor's condition down into
    // the ranking, where it would rank every match twice. It costs what ranking the matches
    // costs, whatever the order.
    const keyset =
      ranked && after
        ? `where (p.rank, p.id) < (${param(after.key, 'numeric')}, ${param(after.id)})`
        : ''
    // Not a typo's page: that matches names like the words, not the words.
    const terms = typo ? undefined : termsPage(criteria, after, columns, limit, param)
    // With the terms' page, what the GIN index matches is read only when that page cannot be.
    if (terms) where.push(`not ${terms.fast}`)
    page = `select * from (
    select ${columns}${ranked ? `, ${rank} as rank` : ''}
    from products p
    where ${where.join('\n      and ')}
    offset 0
  ) p
  ${keyset}
  order by ${order}
  ${limit}`
    if (terms) {
      prefix = `${terms.with}\n`
      page = `(${terms.page})\n  union all\n  (${terms.beginnings})\n  union all\n  (${page})`
    }
  }
  const text = `${prefix}select p.id, p.sku, p.name, p.description, p.price_amount, p.max_price_amount,
  p.variant_count, p.price_currency, p.image_url, p.status, p.tax_class,
  to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as created_at,
  c.id as category_id, c.name as category_name, c.slug as category_slug,
  coalesce((select sum(s.on_hand - s.reserved) from stock s where s.product_id = p.id), 0) as available,
  (select ${pictureJson} from product_media m where m.product_id = p.id
    order by m.position, m.id limit 1) as first_picture${ranked ? ', p.rank::text as rank' : ''}
from (
  ${page}
) p
join categories c on c.id = p.category_id
order by ${order}`
  return { text, parameters, prepare }
}

/**
 * The products of a list's status (issue 17): shoppers' lists (and an admin's by default) the
 * published ones. A literal, not a parameter: each status is its own prepared statement, and a
 * shopper's keeps the plan it had before drafts.
 */
export function statusCondition(status: ListCriteria['status']): string[] {
  if (status === 'all') return []
  return [status === 'draft' ? `p.status = 'draft'` : `p.status = 'published'`]
}

/** One category, by id or slug (an id wins): an equality the category indexes can use. */
export function categoryCondition(category: string): string {
  return `p.category_id = (select k.id from categories k where k.id = ${category} or k.slug = ${category} order by k.id = ${category} desc limit 1)`
}

/**
 * What a listing by relevance adds to a match of the whole words' rank (see `searchTerms`):
 * above any rank a match of the beginning alone can have, which is capped below it.
 */
export const wholeWordsRank = 999

/**
 * What a search matches and how it ranks (issue 17): its whole words (`websearch_to_tsquery`, as
 * before) or, for a search of plain words, the same words with the last one a prefix
 * (`prefixQuery`: "desk la" finds a desk lamp), one `@@` from the GIN index either way. A match
 * of the whole words ranks above every prefix-only one, then by ts_rank of the prefix query:
 * "lamp" lists lamps before lampshades. The whole words' rank is `round((ts_rank + 1), 6)` (as
 * `product_search_terms` keeps it) plus `wholeWordsRank`; a prefix-only match's is its ts_rank,
 * capped below that. (Before issue 20 the whole words added 1 alone: a product with several
 * words of the prefix — "teak teapot" for "tea" — could outrank one with the word itself, and so
 * every match had to be ranked whenever any other word began with it.)
 */
export function searchTerms(
  q: string,
  text: string,
  param: (value: unknown, type?: string) => string,
): { match: string; rank: string } {
  const words = `websearch_to_tsquery('english', ${q})`
  const prefix = prefixQuery(text)
  if (prefix === undefined) {
    return { match: `p.search @@ ${words}`, rank: `round(ts_rank(p.search, ${words})::numeric, 6)` }
  }
  const typed = `to_tsquery('english', ${param(prefix, 'text')})`
  return {
    match: `p.search @@ (${words} || ${typed})`,
    rank: `case when p.search @@ ${words}
      then round((ts_rank(p.search, ${typed}) + 1)::numeric, 6) + ${wholeWordsRank}
      else round(least(ts_rank(p.search, ${typed}), ${wholeWordsRank - 1})::numeric, 6) end`,
  }
}

/**
 * The first page or the next of a search by relevance of one word (whole, or the beginning of
 * one), with no filter but the shoppers' `published`, read in order from `product_search_terms`
 * (migration 009): at most a page of index entries, where ranking every match visited thousands
 * of products (issue 20). Undefined when the search is not of that form. The statement holds
 * both reads, each under a condition of the values alone (`fast`, which PostgreSQL evaluates
 * once, before either runs). This page when the word is one lexeme `w` of which both of
 * `searchTerms`' queries are made (`'w'` and `'w':*`), and either
 * - one lexeme of the catalog at most begins with it (in the "C" collation those follow `w`: the
 *   first two say): every match then has that lexeme and no other of the prefix; or
 * - `w` is a lexeme of the catalog itself and more than a page of its products are left after
 *   the cursor: the page is then all matches of the whole word, which rank above every
 *   prefix-only one (`searchTerms`), and for those the table's rank is the listing's, whatever
 *   other words of the prefix they have;
 * the GIN index's otherwise. The listing rank is then the table's plus `lift`: `wholeWordsRank`
 * for a whole word (the table added its 1 already), or -1, taking the table's 1 away, for a
 * product that has only the word's beginning (`round(ts_rank, 6)`): the same products, ranks and
 * order as ranking every match. (The table's rank adds 1 before rounding; taking 1 away after it is
 * exact: ts_rank of one lexeme is a float4 of at least 0.06, which falls nowhere near a rounding
 * boundary that adding 1 could move.)
 *
 * When neither holds and the word is three or four letters long (`gre`: green, grey, great…),
 * `beginnings` reads the page from `product_search_beginnings` (migration 010), which keeps each
 * product's listing rank for each beginning of its lexemes itself, whole-word or prefix-only;
 * `beginning` in `w` says so. `fast` is true when either page is read, and the GIN index's
 * matches are then not.
 */
export function termsPage(
  criteria: ListCriteria,
  after: Cursor | null,
  columns: string,
  limit: string,
  param: (value: unknown, type?: string) => string,
): { with: string; fast: string; page: string; beginnings: string } | undefined {
  if (criteria.q === undefined || criteria.sort !== 'relevance') return undefined
  if (criteria.category !== undefined) return undefined
  if (criteria.minPrice !== undefined || criteria.maxPrice !== undefined) return undefined
  if (criteria.status !== undefined && criteria.status !== 'published') return undefined
  const prefix = prefixQuery(criteria.q)
  if (prefix === undefined || prefix.includes('&')) return undefined
  const q = param(criteria.q, 'text')
  const typed = param(prefix, 'text')
  const quoted = `chr(39) || a.lexemes[1] || chr(39)`
  /**
   * A page read from one of the search indexes in the listing's order, when `w`'s `when` holds:
   * the rows of `w`'s `value`, their rank plus `lift`.
   */
  const indexedPage = (table: string, key: string, when: string, value: string, lift = '') => {
    const keyset = after
      ? `\n      and (x.rank, x.product_id) < (${param(after.key, 'numeric')}${lift && ` - ${lift}`}, ${param(after.id)})`
      : ''
    return `select ${columns}, x.rank${lift && ` + ${lift}`} as rank
    from ${table} x
    join products p on p.id = x.product_id
    where (select w.${when} from w)
      and x.${key} = (select w.${value} from w)
      and x.status = 'published'
      and p.deleted_at is null
      and p.status = 'published'${keyset}
    order by x.rank desc, x.product_id desc
    ${limit}`
  }
  // More than a page of the whole word's products after the cursor (the page reads `limit`,
  // which is the page and one more).
  const pageRows = criteria.limit + 1
  const wholeAfter = after
    ? `\n          and (t.rank, t.product_id) < (${param(after.key, 'numeric')} - ${wholeWordsRank}, ${param(after.id)})`
    : ''
  return {
    with: `with w as materialized (
  select w.*,
    coalesce(not w.fast and w.single and char_length(w.typed) in (3, 4), false) as beginning
  from (
  select w.lexeme, w.typed, w.single,
    case when w.lexeme = w.typed then ${wholeWordsRank} else -1 end as lift,
    coalesce(w.single and (not coalesce((select starts_with(t.lexeme, w.typed)
      from product_search_terms t where t.lexeme > w.lexeme order by t.lexeme limit 1), false)
      or w.lexeme = w.typed and (select count(*) from (
        select from product_search_terms t join products p on p.id = t.product_id
        where t.lexeme = w.lexeme and t.status = 'published'
          and p.deleted_at is null and p.status = 'published'${wholeAfter}
        limit ${pageRows}) t) = ${pageRows}),
      false) as fast
  from (
    select w.typed, w.single,
      case when starts_with(w.first, w.typed) then w.first end as lexeme
    from (
      select a.lexemes[1] as typed,
        cardinality(a.lexemes) = 1
          and websearch_to_tsquery('english', ${q})::text = ${quoted}
          and to_tsquery('english', ${typed})::text = ${quoted} || ':*' as single,
        (select t.lexeme from product_search_terms t where t.lexeme >= a.lexemes[1]
          order by t.lexeme limit 1) as first
      from (select tsvector_to_array(to_tsvector('english', ${q})) as lexemes) a
      -- Evaluated once: flattened, the word's first lexeme was looked up once per use of it.
      offset 0
    ) w
  ) w
  ) w
)`,
    fast: '(select w.fast or w.beginning from w)',
    page: indexedPage('product_search_terms', 'lexeme', 'fast', 'lexeme', '(select w.lift from w)'),
    beginnings: indexedPage('product_search_beginnings', 'beginning', 'beginning', 'typed'),
  }
}

/**
 * The price conditions, as branches whose union is the product list (issue 17: a product is in
 * a price range when one of its variants is; it sorts by its cheapest, `price_amount`, with its
 * dearest in `max_price_amount`):
 * - no floor: one branch, `price_amount <= ceiling` when there is one (the cheapest variant is
 *   under it), read from the price indexes as before;
 * - a floor, listing: two disjoint branches. Products whose cheapest variant is in the range
 *   (as before: the price indexes' range), and products whose cheapest is below the floor but
 *   another is in the range: those with variants at several prices, from their own small
 *   partial index (`products_varied_price_idx`), so a floor never walks the cheaper catalog;
 * - a floor, search: one branch of the same meaning, since a search sorts all its matches.
 * With both ends, a product whose cheapest is below the range and dearest above it is in it when
 * some variant's price is (`variant_prices`, a multirange of them).
 */
export function priceBranches(criteria: ListCriteria, min?: string, max?: string): string[][] {
  const ceiling = max === undefined ? [] : [`p.price_amount <= ${max}`]
  if (min === undefined) return [ceiling]
  // Its variants' prices are on its row (migration 006): no look at the variants themselves.
  const someVariantInRange =
    max === undefined ? [] : [`p.variant_prices && int8range(${min}, ${max}, '[]')`]
  const varied = [
    `p.max_price_amount > p.price_amount`,
    `p.price_amount < ${min}`,
    `p.max_price_amount >= ${min}`,
    ...someVariantInRange,
  ]
  if (criteria.q === undefined) return [[`p.price_amount >= ${min}`, ...ceiling], varied]
  return [[`(p.price_amount >= ${min} or (${varied.join(' and ')}))`, ...ceiling]]
}

/**
 * Whether the page query has one good plan whatever its values (PostgreSQL runs a prepared
 * statement's generic plan, made without them, from its sixth run when that looks no dearer):
 * - a listing walks its sort's index, filtered by category, from the keyset on;
 * - a search takes its matches from the GIN index and sorts them;
 * but a price range read newest first depends on the range (walk the newest index, or take
 * the range from the price index and sort it), and so does a range with both ends even in
 * price order, since PostgreSQL then takes it for tiny and would rather take it all and sort
 * it than walk the price index through it.
 */
function oneGoodPlan(criteria: ListCriteria): boolean {
  if (criteria.q !== undefined) return true
  const ends = Number(criteria.minPrice !== undefined) + Number(criteria.maxPrice !== undefined)
  return ends === 0 || (ends === 1 && criteria.sort !== 'newest')
}

/** A row of `listingSql` as the driver returns it (numeric columns may come as text). */
export interface ListedRow {
  id: string
  sku: string
  name: string
  description: string
  price_amount: number | string
  /** The dearest variant's price. */
  max_price_amount: number | string
  variant_count: number | string
  price_currency: string
  image_url: string | null
  /** RFC 3339 UTC text. */
  created_at: string
  /** `draft` or `published` (migration 007). */
  status: string
  /** The product's tax class (migration 008). */
  tax_class: string
  category_id: string
  category_name: string
  category_slug: string
  available: number | string
  /** The first picture of its gallery (null when it has none). */
  first_picture?: string | PictureJson | null
  /** With the relevance sort only. */
  rank?: string
}

/** A row of `listingSql` as the API shows it. */
export function listedProduct(row: ListedRow): catalog.Product {
  const currency = String(row.price_currency).trim()
  const price = { amount: Number(row.price_amount), currency }
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price,
    category: { id: row.category_id, name: row.category_name, slug: row.category_slug },
    imageUrl: row.image_url ?? defaultImageUrl(row.id),
    available: Math.max(0, Number(row.available)),
    createdAt: row.created_at,
    priceRange: { min: price, max: { amount: Number(row.max_price_amount), currency } },
    variantCount: Number(row.variant_count),
    status: row.status === 'draft' ? 'draft' : 'published',
    taxClass: row.tax_class,
  }
}

/** Where the page of `rows` (the last row shown) ended, for the next page's cursor. */
export function cursorAfter(criteria: ListCriteria, last: ListedRow, typo: boolean): Cursor {
  const key =
    criteria.sort === 'relevance'
      ? String(last.rank)
      : criteria.sort === 'newest'
        ? String(last.created_at)
        : Number(last.price_amount)
  return typo
    ? { sort: criteria.sort, key, id: last.id, typo }
    : { sort: criteria.sort, key, id: last.id }
}
