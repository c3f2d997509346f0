import type { FacetsQuery, Product, ProductFacets, ProductQuery, ProductSort } from '@emporium/sdk'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ProductCard } from '../components/product-card'
import { Filters, queryProblems } from '../components/product-filters'
import { ErrorMessage, LoadState, ProductGridSkeleton, useLoad, useTitle } from '../components/ui'
import { entryState, saveEntryState, useLocation } from '../lib/router'
import './products.css'

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

/** The facet counts of one query, as kept in the history entry. */
interface KeptFacets {
  key: string
  data: ProductFacets | undefined
}

function facetsOfEntry(key: string): KeptFacets | undefined {
  const kept = entryState().facets as KeptFacets | undefined
  return kept?.key === key ? kept : undefined
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
  // Kept in the history entry too, so that Back shows the filters as tall as they were (the
  // scroll goes back to where it was, and no block arriving later pushes the products down).
  const facets = useLoad(
    async (signal): Promise<KeptFacets> => ({
      key: facetKey,
      data: invalid
        ? undefined
        : await unwrap(
            shop.GET('/api/v1/products/facets', { params: { query: facetsQuery(query) }, signal }),
          ),
    }),
    [facetKey],
    () => facetsOfEntry(facetKey),
  )
  useEffect(() => {
    if (facets.data?.key === facetKey) saveEntryState({ facets: facets.data })
  }, [facets.data, facetKey])
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
        facets={facets.data?.data}
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
