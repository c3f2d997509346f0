import { useState } from 'preact/hooks'
import { searchCustomers, type Customer } from '../api/backoffice'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'
import { Link, navigate, useLocation } from '../lib/router'

/** The customers list (issue 19): searched by e-mail or name, newest first, 20 at a time. */
export function AdminCustomers() {
  const { query } = useLocation()
  const q = query.get('q') ?? ''
  const [typed, setTyped] = useState(q)
  const first = useLoad((signal) => searchCustomers(q, undefined, signal), [q])
  const [more, setMore] = useState<{ q: string; items: Customer[]; next: string | null }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const extra = more?.q === q ? more : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])]
  const next = extra ? extra.next : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy(true)
    setError(undefined)
    try {
      const page = await searchCustomers(q, next)
      setMore({ q, items: [...(extra?.items ?? []), ...page.items], next: page.nextCursor })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="admin-customers">
      <h2 id="admin-customers">Customers</h2>
      <form
        class="search"
        role="search"
        onSubmit={(event) => {
          event.preventDefault()
          const text = typed.trim()
          navigate(`/admin/customers${text ? `?q=${encodeURIComponent(text)}` : ''}`, {
            replace: true,
          })
        }}
      >
        <label for="customer-search">Search customers (e-mail or name)</label>
        <input
          id="customer-search"
          type="search"
          value={typed}
          onInput={(e) => setTyped(e.currentTarget.value)}
        />
        <button type="submit">Search</button>
      </form>
      <LoadState state={first} />
      {first.data && items.length === 0 && <p>No customers match.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="customers-table">
            <thead>
              <tr>
                <th scope="col">Customer</th>
                <th scope="col">E-mail</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {items.map((customer) => (
                <tr key={customer.id}>
                  <td data-label="Customer">
                    <Link href={`/admin/customers/${encodeURIComponent(customer.id)}`}>
                      {customer.name}
                    </Link>
                  </td>
                  <td data-label="E-mail">
                    {customer.email}
                    {!customer.emailVerified && <span class="muted"> (not verified)</span>}
                  </td>
                  <td data-label="Since">{formatDate(customer.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={error} />
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy}>
          Load more customers
        </button>
      )}
    </section>
  )
}
