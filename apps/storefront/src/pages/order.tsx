import type { OrderStatus, OrderStatusEvent } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { refreshCartAfterOrder } from '../api/cart'
import { shop, unwrap } from '../api/client'
import { isNotFound } from '../api/problems'
import { followOrder } from '../api/order-events'
import { ErrorMessage, LoadState, useLoad, useTitle } from '../components/ui'
import { countryName } from '../lib/countries'
import {
  formatDate,
  formatMoney,
  paymentSettling,
  paymentWords,
  reasonWords,
  statusWords,
} from '../lib/format'
import { Link } from '../lib/router'
import { RequireSignIn } from './auth'
import { NotFoundPage } from './not-found'

export function OrderPage({ params }: { params: Record<string, string> }) {
  useTitle('Your order')
  return (
    <RequireSignIn>
      <OrderView id={params.id!} />
    </RequireSignIn>
  )
}

const steps: OrderStatus[] = ['pending', 'awaiting_payment', 'confirmed', 'shipped']
/** Nothing follows these: the live stream ends. */
const terminal: OrderStatus[] = ['shipped', 'cancelled']
/** How far along a status is: a live event behind the order last read changes nothing. */
const rank: Record<OrderStatus | 'payment_failed', number> = {
  pending: 0,
  awaiting_payment: 1,
  // A declined payment (issue 18): shown when it comes; a new attempt's confirmation follows it.
  payment_failed: 1.5,
  confirmed: 2,
  shipped: 3,
  cancelled: 3,
}
const cancellable: (OrderStatus | 'payment_failed')[] = [
  'pending',
  'awaiting_payment',
  'payment_failed',
  'confirmed',
]

function OrderView({ id }: { id: string }) {
  const order = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal })),
    [id],
  )
  const [live, setLive] = useState<OrderStatusEvent | undefined>(undefined)
  const [streamError, setStreamError] = useState<unknown>(undefined)
  const [cancelError, setCancelError] = useState<unknown>(undefined)
  const [cancelling, setCancelling] = useState(false)
  const known = order.data?.status
  // Followed until it ships or is cancelled: a confirmed order still changes.
  const following = known !== undefined && !terminal.includes(known)

  useEffect(() => {
    if (!following) return
    const controller = new AbortController()
    void followOrder(
      id,
      (event) => {
        setStreamError(undefined)
        setLive(event)
        // Confirmed, shipped and cancelled change the payment too: read the whole order again.
        if (rank[event.status] >= rank.confirmed) order.reload()
      },
      setStreamError,
      controller.signal,
    )
    return () => controller.abort()
  }, [id, following])

  // Confirmed: the cart service takes the ordered lines out of the cart when it hears of it,
  // on its own time. Read the cart until it has, so the header's count drops to what is left.
  const confirmed = order.data !== undefined && order.data.status === 'confirmed'
  const orderedIds = order.data?.items.map((item) => item.productId).join(',') ?? ''
  useEffect(() => {
    if (!confirmed) return
    const controller = new AbortController()
    void refreshCartAfterOrder(orderedIds.split(','), controller.signal)
    return () => controller.abort()
  }, [confirmed, orderedIds])

  // A cancelled order whose payment is still captured or held: the refund (or the release of
  // the hold) lands a little later, as payment.refunded or payment.declined. Read the order
  // again until it has, so the page never goes on saying "charged" about refunded money.
  const settling = order.data !== undefined && paymentSettling(order.data)
  useEffect(() => {
    if (!settling) return
    const controller = new AbortController()
    let timer: ReturnType<typeof setTimeout> | undefined
    let delay = 1_000
    const poll = () => {
      timer = setTimeout(() => {
        unwrap(
          shop.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal: controller.signal }),
        ).then(
          (latest) => {
            if (controller.signal.aborted) return
            if (paymentSettling(latest)) poll()
            else order.setData(latest)
          },
          () => {
            if (!controller.signal.aborted) poll()
          },
        )
        delay = Math.min(delay * 2, 10_000)
      }, delay)
    }
    poll()
    return () => {
      controller.abort()
      clearTimeout(timer)
    }
  }, [id, settling])

  if (!order.data) {
    return isNotFound(order.error) ? <NotFoundPage what="order" /> : <LoadState state={order} />
  }
  const data = order.data
  // The stream runs ahead of the order last read until the order is read again.
  const newer = live && rank[live.status] > rank[data.status] ? live : undefined
  const status = newer?.status ?? data.status
  const reason = newer ? newer.cancellationReason : data.cancellationReason

  async function cancel() {
    if (!window.confirm('Cancel this order? A paid order is refunded.')) return
    setCancelling(true)
    setCancelError(undefined)
    try {
      order.setData(
        await unwrap(shop.POST('/api/v1/orders/{id}/cancel', { params: { path: { id } } })),
      )
    } catch (failure) {
      setCancelError(failure)
    } finally {
      setCancelling(false)
    }
  }

  return (
    <section>
      <h1>Order {data.id}</h1>
      <p class="muted">Placed {formatDate(data.createdAt)}</p>
      <div class="status-box" aria-live="polite">
        <p>
          Status: <strong data-status={status}>{statusWords[status]}</strong>
        </p>
        {status === 'cancelled' && <p class="error-text">{reasonWords(reason)}</p>}
        {status === 'confirmed' ? (
          <p class="muted">Updating live: this page shows when it ships.</p>
        ) : (
          !terminal.includes(status) && <p class="muted">Updating live…</p>
        )}
      </div>
      {status !== 'cancelled' && (
        <ol class="steps" aria-label="Progress">
          {steps.map((step) => (
            <li
              key={step}
              class={steps.indexOf(step) <= steps.indexOf(status) ? 'done' : ''}
              aria-current={step === status ? 'step' : undefined}
            >
              {statusWords[step]}
            </li>
          ))}
        </ol>
      )}
      {streamError !== undefined && !terminal.includes(status) && (
        <p class="muted">Live updates interrupted; reconnecting…</p>
      )}
      <table>
        <caption class="visually-hidden">Items</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Price</th>
            <th scope="col">Qty</th>
            <th scope="col">Total</th>
          </tr>
        </thead>
        <tbody>
          {data.items.map((item) => (
            <tr key={item.variantId ?? item.productId}>
              <td>
                {item.name}
                {item.variantLabel && <span class="variant"> ({item.variantLabel})</span>}
              </td>
              <td>{formatMoney(item.unitPrice)}</td>
              <td>{item.quantity}</td>
              <td>{formatMoney(item.lineTotal)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>
              Total
            </th>
            <td>{formatMoney(data.total)}</td>
          </tr>
        </tfoot>
      </table>
      <p>
        Ship to: {data.shippingAddress.name}, {data.shippingAddress.line1},{' '}
        {data.shippingAddress.line2 && `${data.shippingAddress.line2}, `}
        {data.shippingAddress.city} {data.shippingAddress.postalCode},{' '}
        {data.shippingAddress.region && `${data.shippingAddress.region}, `}
        {countryName(data.shippingAddress.country)}
      </p>
      {data.payment && (
        <p class="payment" data-payment={data.payment.status}>
          Card ending {data.payment.last4}: {paymentWords(data.payment, data)}
          {settling && <span class="muted"> (this page updates when it is done)</span>}
        </p>
      )}
      <ErrorMessage error={cancelError} />
      {cancellable.includes(status) && (
        <button type="button" class="danger" onClick={() => void cancel()} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel order'}
        </button>
      )}
      <p>
        <Link href="/orders">All your orders</Link>
      </p>
    </section>
  )
}
