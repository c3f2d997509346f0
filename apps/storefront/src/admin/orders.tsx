import type { Order, OrderPage, OrderStatus } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { formatDate, formatMoney, reasonWords, statusWords } from '../lib/format'
import { Link } from '../lib/router'

const statuses = Object.keys(statusWords) as OrderStatus[]

/** Everyone's orders, filtered by status, with ship and cancel. */
export function AdminOrders() {
  const [status, setStatus] = useState<OrderStatus | ''>('')
  const listOrders = (cursor?: string, signal?: AbortSignal) =>
    unwrap(
      shop.GET('/api/v1/orders', {
        params: { query: { all: true, limit: 20, status: status || undefined, cursor } },
        signal,
      }),
    )
  const first = useLoad((signal) => listOrders(undefined, signal), [status])
  const [more, setMore] = useState<{ status: OrderStatus | ''; page: OrderPage }>()
  const [changed, setChanged] = useState<Record<string, Order>>({})
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState<string | undefined>(undefined)

  const extra = more?.status === status ? more.page : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])].map(
    (order) => changed[order.id] ?? order,
  )
  const next = extra ? extra.nextCursor : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy('more')
    try {
      const page = await listOrders(next)
      setMore({
        status,
        page: { items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor },
      })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  async function act(order: Order, action: 'ship' | 'cancel') {
    if (
      action === 'cancel' &&
      !window.confirm(`Cancel order ${order.id}? A paid order is refunded.`)
    )
      return
    setBusy(order.id)
    setError(undefined)
    setDone('')
    try {
      const params = { path: { id: order.id } }
      const updated = await unwrap(
        action === 'ship'
          ? shop.POST('/api/v1/orders/{id}/ship', { params })
          : shop.POST('/api/v1/orders/{id}/cancel', { params }),
      )
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
          onChange={(event) => setStatus(event.currentTarget.value as OrderStatus | '')}
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
          {/* On a phone each row is a card (styles.css): Ship and Cancel stay in sight. */}
          <table class="orders-table">
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
                  <td data-label="Order">
                    <Link href={`/orders/${encodeURIComponent(order.id)}`}>{order.id}</Link>
                    <br />
                    <span class="muted">{order.shippingAddress.name}</span>
                  </td>
                  <td data-label="Placed">{formatDate(order.createdAt)}</td>
                  <td data-label="Total">{formatMoney(order.total)}</td>
                  <td data-label="Status">
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
