import type {
  Category,
  FacetsQuery,
  Product,
  ProductFacets,
  ProductQuery,
  ProductSort,
} from '@emporium/sdk'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ProductCard } from '../components/product-card'
import { SearchBox } from '../components/search-box'
import { ErrorMessage, LoadState, ProductGridSkeleton, useLoad, useTitle } from '../components/ui'
import { formatMoney, parsePrice } from '../lib/format'
import { entryState, navigate, saveEntryState, useLocation } from '../lib/router'
import './products.css'

const sorts: [ProductSort | '', string][] = [
  ['', 'Best match'],
  ['newest', 'Newest'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
]
const pageSize = 12

/** The listing's query for the API from the page's (prices in minor units there too). */
function apiQuery(query: URLSearchParams, cursor?: string): ProductQuery {
  const text = (key: string) => query.get(key) || undefined
  const price = (key: string) => (query.get(key) ? Number(query.get(key)) : undefined)
  return {
    q: text('q'),
    category: text('category'),
    minPrice: price('minPrice'),
    maxPrice: price('maxPrice'),
    sort: text('sort') as ProductSort | undefined,
    limit: pageSize,
    cursor,
  }
}

/** What is wrong with a price field, by field; empty when both are fine. */
type PriceProblems = Partial<Record<'minPrice' | 'maxPrice', string>>

/**
 * Checks the price range before anything is asked of the shop: each amount must be a price,
 * and the minimum must not be above the maximum (the API would refuse it with a 400 that no
 * retry mends). `minor` reads the amounts in minor units; undefined means the field is empty.
 */
function priceProblems(min: number | undefined | null, max: number | undefined | null) {
  const problems: PriceProblems = {}
  if (min === null) problems.minPrice = 'Enter an amount like 12.50.'
  if (max === null) problems.maxPrice = 'Enter an amount like 12.50.'
  if (typeof min === 'number' && typeof max === 'number' && min > max) {
    problems.minPrice = 'The minimum price is above the maximum price.'
  }
  return problems
}

/** A price of the page's query (minor units), undefined when absent, null when not a price. */
function queryPrice(query: URLSearchParams, key: string): number | undefined | null {
  const value = query.get(key)
  if (!value) return undefined
  return /^\d{1,12}$/.test(value) ? Number(value) : null
}

const queryProblems = (query: URLSearchParams) =>
  priceProblems(queryPrice(query, 'minPrice'), queryPrice(query, 'maxPrice'))

/** The listing's filters, which the facet counts take too. */
function facetsQuery(query: URLSearchParams): FacetsQuery {
  const { q, category, minPrice, maxPrice } = apiQuery(query)
  return { q, category, minPrice, maxPrice }
}

const listProducts = (query: ProductQuery, signal?: AbortSignal) =>
  unwrap(shop.GET('/api/v1/products', { params: { query }, signal }))

/** The pages of one query loaded so far, and where the next one starts. */
interface Listing {
  key: string
  items: Product[]
  next: string | null
  /** The search the shop listed instead, its spelling corrected ("lmap" → "lamp"; issue 17). */
  corrected?: string
}

/**
 * The listing this history entry holds for `key`: kept there as the pages load, so that Back
 * from a product shows every page loaded before, where it was (the router puts the scroll back).
 */
function listingOfEntry(key: string): Listing | undefined {
  const kept = entryState().listing as Listing | undefined
  return kept?.key === key && Array.isArray(kept.items) ? kept : undefined
}

export function ProductsPage() {
  const { query } = useLocation()
  const key = JSON.stringify(apiQuery(query))
  useTitle(query.get('q') ? `Search: ${query.get('q')}` : 'Shop')
  const categories = useLoad(() => unwrap(shop.GET('/api/v1/categories')), [])
  // A query the shop would refuse (a link or an address typed by hand) is not sent at all.
  const invalid = Object.keys(queryProblems(query)).length > 0
  const facetKey = JSON.stringify(facetsQuery(query))
  // Counts beside the filters: a help, so a failure just leaves them out.
  const facets = useLoad(
    (signal) =>
      invalid
        ? Promise.resolve(undefined)
        : unwrap(
            shop.GET('/api/v1/products/facets', { params: { query: facetsQuery(query) }, signal }),
          ),
    [facetKey],
  )
  const [listing, setListing] = useState<Listing | undefined>(() => listingOfEntry(key))
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(false)
  const [round, setRound] = useState(0)
  const reload = useCallback(() => setRound((n) => n + 1), [])
  const [moreError, setMoreError] = useState<unknown>(undefined)
  const [loadingMore, setLoadingMore] = useState(false)

  useEffect(() => {
    setError(undefined)
    setMoreError(undefined)
    const kept = round === 0 ? listingOfEntry(key) : undefined
    if (kept || invalid) {
      setListing(kept ?? { key, items: [], next: null })
      setLoading(false)
      return
    }
    const controller = new AbortController()
    setLoading(true)
    listProducts(apiQuery(query), controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return
        setListing({
          key,
          items: page.items,
          next: page.nextCursor,
          corrected: page.correctedQuery,
        })
        setLoading(false)
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return
        setError(failure)
        setLoading(false)
      },
    )
    return () => controller.abort()
  }, [key, round])

  // Every page loaded goes into the history entry (not that of a query being loaded).
  useEffect(() => {
    if (listing?.key === key && !invalid) saveEntryState({ listing })
  }, [listing, key])

  const current = listing?.key === key ? listing : undefined
  // A failed load shows its message instead of the results of an earlier query; while a new
  // query loads, the earlier results stay (marked busy).
  const items = error ? [] : ((current ?? listing)?.items ?? [])
  const next = current?.next ?? null

  async function loadMore() {
    if (!current?.next) return
    setLoadingMore(true)
    setMoreError(undefined)
    try {
      const page = await listProducts(apiQuery(query, current.next))
      setListing({ ...current, items: [...current.items, ...page.items], next: page.nextCursor })
    } catch (failure) {
      setMoreError(failure)
    } finally {
      setLoadingMore(false)
    }
  }

  return (
    <>
      <h1>Shop</h1>
      <Filters
        key={query.toString()}
        query={query}
        categories={categories.data?.items ?? []}
        facets={facets.data}
      />
      <section aria-labelledby="results" aria-busy={loading}>
        <h2 id="results" class="visually-hidden">
          Results
        </h2>
        <LoadState
          state={{ data: items.length > 0 ? items : current, error, loading, reload }}
          placeholder={<ProductGridSkeleton count={pageSize} />}
        />
        {current?.corrected && !loading && !error && items.length > 0 && (
          <p class="corrected">
            Showing results for <strong>{current.corrected}</strong>
          </p>
        )}
        {invalid ? (
          <p>Correct the price range above to see products.</p>
        ) : (
          current &&
          !loading &&
          !error &&
          items.length === 0 && <p>No products match. Try other words or filters.</p>
        )}
        <ul class="grid">
          {items.map((product) => (
            <ProductCard key={product.id} product={product} />
          ))}
        </ul>
        <ErrorMessage error={moreError} />
        {next && !loading && !error && (
          <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        )}
      </section>
    </>
  )
}

/** The filter form's fields, as typed. */
interface Fields {
  q: string
  category: string
  minPrice: string
  maxPrice: string
  sort: string
}

/** A price band's words: "Under $10.00", "$10.00 to $25.00", "$100.00 and up". */
function bandLabel(band: ProductFacets['priceBands'][number]): string {
  const money = (amount: number) => formatMoney({ amount, currency: 'USD' })
  if (band.min === 0 && band.max !== null) return `Under ${money(band.max + 1)}`
  if (band.max === null) return `${money(band.min)} and up`
  return `${money(band.min)} to ${money(band.max + 1)}`
}

function Filters({
  query,
  categories,
  facets,
}: {
  query: URLSearchParams
  categories: Category[]
  facets?: ProductFacets
}) {
  const countOf = (slug: string) =>
    facets?.categories.find((c) => c.category.slug === slug || c.category.id === slug)?.count
  const asPrice = (minor: string | null) => (minor ? (Number(minor) / 100).toFixed(2) : '')
  const [fields, setFields] = useState<Fields>(() => ({
    q: query.get('q') ?? '',
    category: query.get('category') ?? '',
    minPrice: asPrice(query.get('minPrice')),
    maxPrice: asPrice(query.get('maxPrice')),
    sort: query.get('sort') ?? '',
  }))
  // Said next to the field, from the page's own query too (a link with a reversed range).
  const [problems, setProblems] = useState<PriceProblems>(() => queryProblems(query))
  const bind = (name: keyof typeof fields) => ({
    name,
    value: fields[name],
    onInput: (event: Event) => {
      const value = (event.currentTarget as HTMLInputElement).value
      setFields((current) => ({ ...current, [name]: value }))
    },
  })

  function apply(event: SubmitEvent) {
    event.preventDefault()
    applyFields(fields)
  }

  /** Puts the fields in the address (and so loads them), once they make sense. */
  function applyFields(fields: Fields) {
    const price = (text: string) => (text.trim() ? (parsePrice(text) ?? null) : undefined)
    const min = price(fields.minPrice)
    const max = price(fields.maxPrice)
    const found = priceProblems(min, max)
    setProblems(found)
    // Nothing is asked of the shop until the fields make sense: the message is by the field.
    if (Object.keys(found).length > 0) return
    const params = new URLSearchParams()
    if (fields.q.trim()) params.set('q', fields.q.trim())
    if (fields.category) params.set('category', fields.category)
    if (min !== undefined && min !== null) params.set('minPrice', String(min))
    if (max !== undefined && max !== null) params.set('maxPrice', String(max))
    if (fields.sort) params.set('sort', fields.sort)
    navigate(`/products${params.size ? `?${params}` : ''}`)
  }
  const invalidProps = (field: keyof PriceProblems) =>
    problems[field] ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-problem` } : {}
  return (
    <form class="filters" role="search" onSubmit={apply}>
      <div class="field grow">
        <label for="f-q">Search</label>
        <SearchBox
          id="f-q"
          name="q"
          value={fields.q}
          onValue={(q) => setFields((current) => ({ ...current, q }))}
        />
      </div>
      <div class="field">
        <label for="f-category">Category</label>
        <select id="f-category" {...bind('category')} onChange={bind('category').onInput}>
          <option value="">All categories</option>
          {categories.map((category) => (
            <option key={category.id} value={category.slug}>
              {category.name}
              {countOf(category.slug) !== undefined && ` (${countOf(category.slug)})`}
            </option>
          ))}
        </select>
      </div>
      <div class="field small">
        <label for="f-min">Min price ($)</label>
        <input id="f-min" inputMode="decimal" {...bind('minPrice')} {...invalidProps('minPrice')} />
        {problems.minPrice && (
          <small id="minPrice-problem" class="field-error" role="alert">
            {problems.minPrice}
          </small>
        )}
      </div>
      <div class="field small">
        <label for="f-max">Max price ($)</label>
        <input id="f-max" inputMode="decimal" {...bind('maxPrice')} {...invalidProps('maxPrice')} />
        {problems.maxPrice && (
          <small id="maxPrice-problem" class="field-error" role="alert">
            {problems.maxPrice}
          </small>
        )}
      </div>
      <div class="field">
        <label for="f-sort">Sort by</label>
        <select
          id="f-sort"
          {...bind('sort')}
          onChange={(event) => {
            // A new order applies at once (with the rest of the form), no Apply needed.
            const next = { ...fields, sort: event.currentTarget.value }
            setFields(next)
            applyFields(next)
          }}
        >
          {sorts.map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <div class="field actions">
        <button type="submit">Apply</button>
      </div>
      {facets && (
        <div class="facets">
          <p class="facet-summary">
            {facets.total} {facets.total === 1 ? 'product' : 'products'}, {facets.inStock} in stock
          </p>
          <ul class="price-bands" aria-label="Price bands">
            {facets.priceBands.map((band) => (
              <li key={band.min}>
                <button
                  type="button"
                  disabled={band.count === 0}
                  onClick={() =>
                    applyFields({
                      ...fields,
                      minPrice: band.min === 0 ? '' : (band.min / 100).toFixed(2),
                      maxPrice: band.max === null ? '' : (band.max / 100).toFixed(2),
                    })
                  }
                >
                  {bandLabel(band)} ({band.count})
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </form>
  )
}
