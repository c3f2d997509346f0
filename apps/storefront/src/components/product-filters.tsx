import type { Category, ProductFacets, ProductSort } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { formatMoney, parsePrice } from '../lib/format'
import { navigate } from '../lib/router'
import { SearchBox } from './search-box'

const sorts: [ProductSort | '', string][] = [
  ['', 'Best match'],
  ['newest', 'Newest'],
  ['price_asc', 'Price: low to high'],
  ['price_desc', 'Price: high to low'],
]

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

export const queryProblems = (query: URLSearchParams) =>
  priceProblems(queryPrice(query, 'minPrice'), queryPrice(query, 'maxPrice'))

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

/** The listing's filter form: search, category, price range, sort, and the facet counts. */
export function Filters({
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
