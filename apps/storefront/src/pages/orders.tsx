import type { OrderPage } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, useLoad, useTitle } from '../components/ui'
import { formatDate, formatMoney, shopperStatusWords } from '../lib/format'
import { Link } from '../lib/router'
import { RequireSignIn } from './auth'

export function OrdersPage() {
  useTitle('Your orders')
  return (
    <RequireSignIn>
      <OrderHistory />
    </RequireSignIn>
  )
}

function OrderHistory() {
  const first = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/orders', { params: { query: { limit: 20 } }, signal })),
    [],
  )
  const [more, setMore] = useState<OrderPage | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [busy, setBusy] = useState(false)
  const items = [...(first.data?.items ?? []), ...(more?.items ?? [])]
  const next = more ? more.nextCursor : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy(true)
    setError(undefined)
    try {
      const page = await unwrap(
        shop.GET('/api/v1/orders', { params: { query: { limit: 20, cursor: next } } }),
      )
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section>
      <h1>Your orders</h1>
      <LoadState state={first} />
      {first.data && items.length === 0 && (
        <p>
          No orders yet. <Link href="/products">Go shopping</Link>.
        </p>
      )}
      <ul class="orders">
        {items.map((order) => (
          <li key={order.id}>
            <Link href={`/orders/${encodeURIComponent(order.id)}`}>Order {order.id}</Link>
            <span>{formatDate(order.createdAt)}</span>
            <span>{formatMoney(order.total)}</span>
            <span class={`badge ${order.status}`}>{shopperStatusWords[order.status]}</span>
          </li>
        ))}
      </ul>
      <ErrorMessage error={error} />
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy}>
          {busy ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  )
}
