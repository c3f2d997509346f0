import type { orders } from '@emporium/contracts'
import { useState } from 'preact/hooks'
import { api } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { formatDate, formatMoney, reasonWords, statusWords } from '../lib/format'
import { Link } from '../lib/router'

const statuses = Object.keys(statusWords) as orders.OrderStatus[]

/** Everyone's orders, filtered by status, with ship and cancel. */
export function AdminOrders() {
  const [status, setStatus] = useState<orders.OrderStatus | ''>('')
  const query = `/orders?all=true&limit=20${status ? `&status=${status}` : ''}`
  const first = useLoad((signal) => api<orders.OrderPage>(query, { auth: true, signal }), [query])
  const [more, setMore] = useState<{ query: string; page: orders.OrderPage }>()
  const [changed, setChanged] = useState<Record<string, orders.Order>>({})
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState<string | undefined>(undefined)

  const extra = more?.query === query ? more.page : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])].map(
    (order) => changed[order.id] ?? order,
  )
  const next = extra ? extra.nextCursor : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy('more')
    try {
      const page = await api<orders.OrderPage>(`${query}&cursor=${encodeURIComponent(next)}`, {
        auth: true,
      })
      setMore({
        query,
        page: { items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor },
      })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  async function act(order: orders.Order, action: 'ship' | 'cancel') {
    if (
      action === 'cancel' &&
      !window.confirm(`Cancel order ${order.id}? A paid order is refunded.`)
    )
      return
    setBusy(order.id)
    setError(undefined)
    setDone('')
    try {
      const updated = await api<orders.Order>(`/orders/${encodeURIComponent(order.id)}/${action}`, {
        method: 'POST',
        auth: true,
      })
      setChanged((all) => ({ ...all, [order.id]: updated }))
      setDone(`Order ${order.id}: ${statusWords[updated.status].toLowerCase()}.`)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  return (
    <section aria-labelledby="admin-orders">
      <h2 id="admin-orders">Orders</h2>
      <div class="field inline">
        <label for="status-filter">Status</label>
        <select
          id="status-filter"
          value={status}
          onChange={(event) => setStatus(event.currentTarget.value as orders.OrderStatus | '')}
        >
          <option value="">All statuses</option>
          {statuses.map((value) => (
            <option key={value} value={value}>
              {statusWords[value]}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      {done && <Notice>{done}</Notice>}
      <LoadState state={first} />
      {first.data && items.length === 0 && <p>No orders.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Order</th>
                <th scope="col">Placed</th>
                <th scope="col">Total</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((order) => (
                <tr key={order.id}>
                  <td>
                    <Link href={`/orders/${encodeURIComponent(order.id)}`}>{order.id}</Link>
                    <br />
                    <span class="muted">{order.shippingAddress.name}</span>
                  </td>
                  <td>{formatDate(order.createdAt)}</td>
                  <td>{formatMoney(order.total)}</td>
                  <td>
                    <span class={`badge ${order.status}`}>{statusWords[order.status]}</span>
                    {order.status === 'cancelled' && (
                      <span class="muted"> {reasonWords(order.cancellationReason)}</span>
                    )}
                    {order.declineReason && (
                      <span class="muted"> ({order.declineReason.replace(/_/g, ' ')})</span>
                    )}
                  </td>
                  <td class="actions">
                    {order.status === 'confirmed' && (
                      <button
                        type="button"
                        disabled={busy === order.id}
                        onClick={() => void act(order, 'ship')}
                      >
                        Ship<span class="visually-hidden"> order {order.id}</span>
                      </button>
                    )}
                    {['pending', 'awaiting_payment', 'confirmed'].includes(order.status) && (
                      <button
                        type="button"
                        class="danger"
                        disabled={busy === order.id}
                        onClick={() => void act(order, 'cancel')}
                      >
                        Cancel<span class="visually-hidden"> order {order.id}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy === 'more'}>
          Load more
        </button>
      )}
    </section>
  )
}
