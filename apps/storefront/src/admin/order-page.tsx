import { readStaffOrder, type StaffOrder } from '../api/backoffice'
import { isNotFound } from '../api/problems'
import { session } from '../api/session'
import { OrderDetails } from '../components/order-details'
import { LoadState, useLoad, useTitle } from '../components/ui'
import { staffCancellation } from '../lib/cancellation'
import { formatDate, statusWords } from '../lib/format'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'
import { useAccess } from './access'
import { OrderCancel } from './order-cancel'
import { OrderMoney } from './order-money'
import { OrderNotes } from './order-notes'
import { OrderReturnsPanel } from './order-returns-panel'
import { OrderTimeline } from './order-timeline'
import { orderName } from './orders'

/**
 * The staff order page (issue 19): who ordered, what, the totals, payments and refunds,
 * shipments, returns, every event of the order, internal notes, and what staff can do. Each
 * panel loads on its own: one the platform cannot answer says so, the rest still show.
 */
export function AdminOrderPage({ id }: { id: string }) {
  const order = useLoad((signal) => readStaffOrder(id, signal), [id])
  // What this member may do: the forms they could not use are left out (the API refuses anyway).
  const access = useAccess(useStore(session))
  const data = order.data
  useTitle(data ? `Order ${orderName(data)}` : 'Order')
  if (!data) {
    return (
      <section>
        <p>
          <Link href="/admin/orders">All orders</Link>
        </p>
        {isNotFound(order.error) ? <p role="alert">No order {id}.</p> : <LoadState state={order} />}
      </section>
    )
  }
  const changed = (next: StaffOrder) => {
    order.setData({ ...data, ...next })
    order.reload()
  }
  return (
    <section aria-labelledby="staff-order-title" class="staff-order">
      <p>
        <Link href="/admin/orders">All orders</Link>
      </p>
      <h2 id="staff-order-title">Order {orderName(data)}</h2>
      <p class="muted">
        {data.number !== undefined && <>{data.id} · </>}Placed {formatDate(data.createdAt)}
      </p>
      <div class="status-box">
        <p>
          Status:{' '}
          <span class={`badge ${data.status}`} data-status={data.status}>
            {statusWords[data.status]}
          </span>
        </p>
        {data.status === 'cancelled' && (
          <p class="cancellation" data-reason={data.cancellationReason ?? ''}>
            {staffCancellation(data.cancellationReason, data.cancellationNote)}
          </p>
        )}
      </div>
      <CustomerOf order={data} />
      <OrderDetails order={data} />
      <OrderMoney
        order={data}
        onChange={changed}
        canRead={access.has('payments.read')}
        canRefund={access.has('refunds.write')}
      />
      <OrderReturnsPanel
        order={data}
        onChange={order.reload}
        canWrite={access.has('refunds.write')}
      />
      {access.has('orders.manage') && <OrderCancel order={data} onCancelled={changed} />}
      <OrderNotes orderId={data.id} canAdd={access.has('orders.manage')} />
      <OrderTimeline orderId={data.id} />
    </section>
  )
}

/** The customer: e-mail and a link to their page (or a search by e-mail without an account id). */
function CustomerOf({ order }: { order: StaffOrder }) {
  const email = order.customerEmail ?? order.email
  const link = order.userId
    ? `/admin/customers/${encodeURIComponent(order.userId)}`
    : email
      ? `/admin/customers?q=${encodeURIComponent(email)}`
      : undefined
  return (
    <section aria-labelledby="staff-order-customer">
      <h3 id="staff-order-customer">Customer</h3>
      <p>
        {email ?? order.shippingAddress.name}
        {order.email && !order.userId && <span class="muted"> (guest)</span>}
        {link && (
          <>
            {' · '}
            <Link href={link}>Customer page</Link>
          </>
        )}
      </p>
    </section>
  )
}
