import type { OrderStatus } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import type { OrderFilters } from '../api/backoffice'
import { parsePrice, priceText, statusWords } from '../lib/format'

const statuses = Object.keys(statusWords) as OrderStatus[]

/** The filters as the URL's query keeps them (a search survives Back from an order). */
export function filtersOf(query: URLSearchParams): OrderFilters {
  const filters: OrderFilters = {}
  for (const key of ['number', 'email', 'status', 'from', 'to', 'customerId'] as const) {
    const value = query.get(key)
    if (value) filters[key] = value
  }
  for (const key of ['minTotal', 'maxTotal'] as const) {
    const value = Number(query.get(key) ?? Number.NaN)
    if (Number.isInteger(value) && value >= 0) filters[key] = value
  }
  return filters
}

export function queryOf(filters: OrderFilters): string {
  const query = new URLSearchParams()
  for (const [key, value] of Object.entries(filters)) {
    if (value !== undefined && value !== '') query.set(key, String(value))
  }
  const text = query.toString()
  return text ? `?${text}` : ''
}

/** The start (UTC) of the day after `day` (YYYY-MM-DD): the API's `to` is exclusive. */
const dayAfter = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString()

/**
 * The dates of the form (a day, UTC) as the API's instants: from the start of the first day
 * to the end of the last (the start of the next, which `to` leaves out).
 */
export function apiFilters(filters: OrderFilters): OrderFilters {
  const { from, to, ...rest } = filters
  return {
    ...rest,
    ...(from ? { from: `${from}T00:00:00.000Z` } : {}),
    ...(to ? { to: dayAfter(to) } : {}),
  }
}

/**
 * The search form of the orders page: status applies at once (a select), the rest on Search.
 * Totals are typed as prices (19.99) and sent in minor units.
 */
export function OrderFilterForm({
  filters,
  onApply,
}: {
  filters: OrderFilters
  onApply: (filters: OrderFilters) => void
}) {
  const money = (amount: number | undefined) =>
    amount === undefined ? '' : priceText({ amount, currency: 'USD' })
  const [number, setNumber] = useState(filters.number ?? '')
  const [email, setEmail] = useState(filters.email ?? '')
  const [from, setFrom] = useState(filters.from ?? '')
  const [to, setTo] = useState(filters.to ?? '')
  const [minTotal, setMinTotal] = useState(money(filters.minTotal))
  const [maxTotal, setMaxTotal] = useState(money(filters.maxTotal))
  const [problem, setProblem] = useState('')

  function typed(status = filters.status): OrderFilters | undefined {
    const min = minTotal.trim() ? parsePrice(minTotal) : undefined
    const max = maxTotal.trim() ? parsePrice(maxTotal) : undefined
    if ((minTotal.trim() && min === undefined) || (maxTotal.trim() && max === undefined)) {
      setProblem('Type totals as prices, e.g. 19.99.')
      return undefined
    }
    setProblem('')
    return {
      number: number.trim().replace(/^#/, ''),
      email: email.trim(),
      status: status ?? '',
      from,
      to,
      ...(min !== undefined ? { minTotal: min } : {}),
      ...(max !== undefined ? { maxTotal: max } : {}),
      ...(filters.customerId ? { customerId: filters.customerId } : {}),
    }
  }

  function submit(event: SubmitEvent) {
    event.preventDefault()
    const next = typed()
    if (next) onApply(next)
  }

  return (
    <form
      class="panel filters order-filters"
      aria-label="Search orders"
      onSubmit={(event) => submit(event)}
    >
      <div class="field inline">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={filters.status ?? ''}
          onChange={(event) => {
            const next = typed(event.currentTarget.value)
            if (next) onApply(next)
          }}
        >
          <option value="">All statuses</option>
          {statuses.map((value) => (
            <option key={value} value={value}>
              {statusWords[value]}
            </option>
          ))}
        </select>
      </div>
      <div class="field inline">
        <label for="number-filter">Order number</label>
        <input
          id="number-filter"
          inputMode="numeric"
          value={number}
          onInput={(e) => setNumber(e.currentTarget.value)}
        />
      </div>
      <div class="field inline">
        <label for="email-filter">Customer e-mail</label>
        <input
          id="email-filter"
          type="search"
          value={email}
          onInput={(e) => setEmail(e.currentTarget.value)}
        />
      </div>
      <div class="field inline">
        <label for="from-filter">Placed from</label>
        <input
          id="from-filter"
          type="date"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
      </div>
      <div class="field inline">
        <label for="to-filter">Placed to</label>
        <input
          id="to-filter"
          type="date"
          value={to}
          onInput={(e) => setTo(e.currentTarget.value)}
        />
      </div>
      <div class="field inline">
        <label for="min-total-filter">Total from (USD)</label>
        <input
          id="min-total-filter"
          inputMode="decimal"
          value={minTotal}
          onInput={(e) => setMinTotal(e.currentTarget.value)}
        />
      </div>
      <div class="field inline">
        <label for="max-total-filter">Total to (USD)</label>
        <input
          id="max-total-filter"
          inputMode="decimal"
          value={maxTotal}
          onInput={(e) => setMaxTotal(e.currentTarget.value)}
        />
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div class="actions">
        <button type="submit" class="primary">
          Search orders
        </button>
      </div>
    </form>
  )
}
