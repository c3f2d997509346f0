import type { Order } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import {
  cancelOrder,
  searchOrders,
  type OrderFilters,
  type StaffOrder,
  type StaffOrderPage,
} from '../api/backoffice'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { staffCancellation } from '../lib/cancellation'
import { formatDate, formatMoney, statusWords } from '../lib/format'
import { Link, navigate, useLocation } from '../lib/router'
import { apiFilters, filtersOf, OrderFilterForm, queryOf } from './order-filters'

/** An order's name in the back office: its number when it has one, else its id. */
export const orderName = (order: Pick<StaffOrder, 'id' | 'number'>) =>
  order.number !== undefined ? `#${order.number}` : order.id

/**
 * The order search (issue 19): everyone's orders by number, customer e-mail, status, dates and
 * total, newest first, 20 at a time; each opens the staff order page. Ship and a quick cancel
 * stay on each row (a cancel with a reason is on the order's page).
 */
export function AdminOrders() {
  const { query } = useLocation()
  const filters = filtersOf(query)
  const key = queryOf(filters)
  const first = useLoad((signal) => searchOrders(apiFilters(filters), undefined, signal), [key])
  const [more, setMore] = useState<{ key: string; page: StaffOrderPage }>()
  const [changed, setChanged] = useState<Record<string, StaffOrder>>({})
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')
  const [busy, setBusy] = useState<string | undefined>(undefined)

  const extra = more?.key === key ? more.page : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])].map(
    (order) => changed[order.id] ?? order,
  )
  const next = extra ? extra.nextCursor : (first.data?.nextCursor ?? null)

  function apply(next: OrderFilters) {
    navigate(`/admin/orders${queryOf(next)}`, { replace: true })
  }

  async function loadMore() {
    if (!next) return
    setBusy('more')
    try {
      const page = await searchOrders(apiFilters(filters), next)
      setMore({
        key,
        page: { items: [...(extra?.items ?? []), ...page.items], nextCursor: page.nextCursor },
      })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  async function act(order: StaffOrder, action: 'ship' | 'cancel') {
    if (
      action === 'cancel' &&
      !window.confirm(`Cancel order ${order.id}? A paid order is refunded.`)
    )
      return
    setBusy(order.id)
    setError(undefined)
    setDone('')
    try {
      const updated: Order =
        action === 'ship'
          ? await unwrap(
              shop.POST('/api/v1/orders/{id}/ship', { params: { path: { id: order.id } } }),
            )
          : await cancelOrder(order.id)
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
      <OrderFilterForm key={key} filters={filters} onApply={apply} />
      <ErrorMessage error={error} />
      {done && <Notice>{done}</Notice>}
      <LoadState state={first} />
      {first.data && items.length === 0 && <p>No orders match.</p>}
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
                    <Link href={`/admin/orders/${encodeURIComponent(order.id)}`}>
                      {orderName(order)}
                      {order.number !== undefined && (
                        <span class="visually-hidden"> ({order.id})</span>
                      )}
                    </Link>
                    <br />
                    <span class="muted">
                      {order.customerEmail ?? order.email ?? order.shippingAddress.name}
                    </span>
                  </td>
                  <td data-label="Placed">{formatDate(order.createdAt)}</td>
                  <td data-label="Total">{formatMoney(order.total)}</td>
                  <td data-label="Status">
                    <span class={`badge ${order.status}`}>{statusWords[order.status]}</span>
                    {order.status === 'cancelled' && (
                      <span class="muted">
                        {' '}
                        {staffCancellation(order.cancellationReason, order.cancellationNote)}
                      </span>
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
