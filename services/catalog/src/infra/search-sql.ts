import { sql } from 'kysely'
import type { catalog } from '@emporium/contracts'
import type { Database } from '@emporium/platform'
import type { ListCriteria } from '../domain/listing.js'
import { prefixQuery, priceBands, typoSimilarityThreshold } from '../domain/search-plan.js'
import type { SearchStore } from '../app/ports.js'
import { categoryCondition, priceBranches, searchTerms, type ListingSql } from './listing-sql.js'
import { createStatementRunner } from './prepared.js'

/**
 * The suggestions of `GET /products/suggestions` (issue 17): the products whose name has the
 * words typed so far, the last one a prefix (`prefixQuery`), found by the full-text GIN index
 * (then checked against the name alone: a word of the description suggests nothing), best rank
 * first, then the shortest name. `limit` rows at most; undefined when the text has no word.
 */
export function suggestionsSql(q: string, limit: number): ListingSql | undefined {
  const prefix = prefixQuery(q)
  if (prefix === undefined) return undefined
  const text = `select p.id, p.name, p.price_amount, p.price_currency,
  c.id as category_id, c.name as category_name, c.slug as category_slug
from (
  select p.id, p.name, p.price_amount, p.price_currency, p.category_id,
    ts_rank(p.search, to_tsquery('english', $1::text)) as rank
  from products p
  where p.deleted_at is null and p.status = 'published'
    and p.search @@ to_tsquery('english', $1::text)
    and to_tsvector('english', p.name) @@ to_tsquery('english', $1::text)
  order by rank desc, char_length(p.name), p.id
  limit ${limit}
) p
join categories c on c.id = p.category_id
order by p.rank desc, char_length(p.name), p.id`
  return { text, parameters: [prefix], prepare: true }
}

/**
 * Suggestions for a typo, when the words typed match no name: the names that look like them
 * (pg_trgm's `%>`, from the trigram index; the caller sets the threshold), likest first.
 */
export function typoSuggestionsSql(q: string, limit: number): ListingSql {
  const text = `select p.id, p.name, p.price_amount, p.price_currency,
  c.id as category_id, c.name as category_name, c.slug as category_slug
from (
  select p.id, p.name, p.price_amount, p.price_currency, p.category_id,
    word_similarity(lower($1::text), lower(p.name)) as likeness
  from products p
  where p.deleted_at is null and p.status = 'published' and lower(p.name) %> lower($1::text)
  order by likeness desc, char_length(p.name), p.id
  limit ${limit}
) p
join categories c on c.id = p.category_id
order by p.likeness desc, char_length(p.name), p.id`
  return { text, parameters: [q], prepare: false }
}

interface SuggestionRow {
  id: string
  name: string
  price_amount: number | string
  price_currency: string
  category_id: string
  category_name: string
  category_slug: string
}

function suggestion(row: SuggestionRow): catalog.Suggestion {
  return {
    id: row.id,
    name: row.name,
    category: { id: row.category_id, name: row.category_name, slug: row.category_slug },
    price: { amount: Number(row.price_amount), currency: String(row.price_currency).trim() },
  }
}

/**
 * The facet counts of `GET /products/facets` (issue 17), one statement: the products the
 * search matches (all of them without one: the catalog is read once, not per facet), each
 * marked by whether it passes the category filter and the price filter, the same conditions as
 * the listing's. Each facet is counted with the other filters applied: categories under the
 * search and price filter, price bands under the search and category, and `inStock` and `total`
 * under all of them. A product is in a price band when one of its variants is, as in a price
 * filter. With `typo`, the search matches the names that look like its words (as the listing
 * does when its words match nothing).
 */
export function facetsSql(criteria: ListCriteria, typo = false): ListingSql {
  const parameters: unknown[] = []
  const param = (value: unknown, type?: string) => {
    parameters.push(value)
    return type ? `$${parameters.length}::${type}` : `$${parameters.length}`
  }
  // Drafts are counted by no facet (issue 17): shoppers do not see them.
  const where = ['p.deleted_at is null', "p.status = 'published'"]
  if (criteria.q !== undefined) {
    const q = param(criteria.q, 'text')
    where.push(typo ? `lower(p.name) %> lower(${q})` : searchTerms(q, criteria.q, param).match)
  }
  const inCategory =
    criteria.category === undefined ? 'true' : categoryCondition(param(criteria.category, 'text'))
  // A search's form of the price conditions: one branch.
  const price = priceBranches(
    { ...criteria, q: criteria.q ?? '' },
    criteria.minPrice === undefined ? undefined : param(criteria.minPrice, 'bigint'),
    criteria.maxPrice === undefined ? undefined : param(criteria.maxPrice, 'bigint'),
  )[0]!
  const inPrice = price.length === 0 ? 'true' : price.join(' and ')
  const bands = priceBands
    .map((b, i) => `(${i}, ${b.min}::bigint, ${b.max ?? 'null'}::bigint)`)
    .join(', ')
  const text = `with m as materialized (
  select p.id, p.category_id, p.price_amount, p.max_price_amount,
    coalesce(${inCategory}, false) as in_category,
    coalesce(${inPrice}, false) as in_price
  from products p
  where ${where.join('\n    and ')}
)
select 'category' as facet, c.id as key, c.name, c.slug,
  (select count(*) from m where m.category_id = c.id and m.in_price)::int as n
from categories c
union all
select 'band', b.i::text, null, null, count(m.id)::int
from (values ${bands}) b(i, lo, hi)
left join m on m.in_category
  and m.max_price_amount >= b.lo and (b.hi is null or m.price_amount <= b.hi)
  and (m.price_amount >= b.lo
    or coalesce((select true from variants v where v.product_id = m.id
      and v.price_amount >= b.lo and (b.hi is null or v.price_amount <= b.hi) limit 1), false))
group by b.i
union all
select 'total', null, null, null, count(*)::int from m where m.in_category and m.in_price
union all
select 'inStock', null, null, null, count(*)::int from m
where m.in_category and m.in_price
  and exists (select 1 from stock s where s.product_id = m.id and s.on_hand > s.reserved)`
  return { text, parameters, prepare: false }
}

interface FacetRow {
  facet: 'category' | 'band' | 'total' | 'inStock'
  key: string | null
  name: string | null
  slug: string | null
  n: number | string
}

function facets(rows: FacetRow[]): catalog.ProductFacets {
  const count = (facet: FacetRow['facet']) => Number(rows.find((r) => r.facet === facet)?.n ?? 0)
  const bandCounts = new Map(
    rows.filter((r) => r.facet === 'band').map((r) => [Number(r.key), Number(r.n)]),
  )
  return {
    total: count('total'),
    inStock: count('inStock'),
    categories: rows
      .filter((r) => r.facet === 'category')
      .map((r) => ({
        category: { id: r.key!, name: r.name!, slug: r.slug! },
        count: Number(r.n),
      }))
      .sort((a, b) => a.category.name.localeCompare(b.category.name)),
    priceBands: priceBands.map((band, i) => ({ ...band, count: bandCounts.get(i) ?? 0 })),
  }
}

/**
 * Suggestions and facets on the catalog's database. `typoSearch` says whether pg_trgm is there
 * (the store finds out at start).
 */
export function createKyselySearch(deps: {
  database: Database
  typoSearch: () => boolean
}): SearchStore {
  const { database } = deps
  const run = createStatementRunner(database)

  /**
   * As the listing's typo search: the threshold of `%>` and, with `indexOnly`, the trigram index
   * over a scan (pg_trgm's similarity looks as cheap as a comparison to the planner).
   */
  function withTrigrams<R>(statement: ListingSql, indexOnly: boolean) {
    return database.transaction(async (trx) => {
      await sql`select set_config('pg_trgm.word_similarity_threshold', ${String(typoSimilarityThreshold)}, true),
        set_config('enable_seqscan', ${indexOnly ? 'off' : 'on'}, true)`.execute(trx)
      return run<R>(statement, trx)
    })
  }

  return {
    get typoSearch() {
      return deps.typoSearch()
    },
    async suggest(q, limit, typo) {
      if (typo) {
        return (await withTrigrams<SuggestionRow>(typoSuggestionsSql(q, limit), true)).map(
          suggestion,
        )
      }
      const statement = suggestionsSql(q, limit)
      return statement ? (await run<SuggestionRow>(statement)).map(suggestion) : []
    },
    async facets(criteria, typo) {
      const statement = facetsSql(criteria, typo)
      // Not index-only: so forced, PostgreSQL made a plan of the facets 100 times slower (1.7 s
      // against 18 ms over the 1,000 demo products) than comparing every name. Over a catalog of
      // many thousands, counting for a typo costs that comparison.
      return facets(
        typo ? await withTrigrams<FacetRow>(statement, false) : await run<FacetRow>(statement),
      )
    },
  }
}
