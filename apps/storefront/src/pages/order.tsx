import type { OrderStatus, OrderStatusEvent } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { cancelOrder } from '../api/backoffice'
import { refreshCartAfterOrder } from '../api/cart'
import { readOrder } from '../api/checkout'
import { isNotFound } from '../api/problems'
import { followOrder } from '../api/order-events'
import { session } from '../api/session'
import { OrderDetails } from '../components/order-details'
import { OrderReturns } from '../components/order-returns'
import { PayAgain } from '../components/pay-again'
import { ErrorMessage, LoadState, useLoad, useTitle } from '../components/ui'
import {
  formatDate,
  paymentSettling,
  reasonWords,
  shopperStatusWords,
  statusWords,
} from '../lib/format'
import { Link } from '../lib/router'
import { useStore } from '../lib/store'
import { RequireShopper } from './auth'
import { NotFoundPage } from './not-found'

export function OrderPage({ params }: { params: Record<string, string> }) {
  useTitle('Your order')
  return (
    <RequireShopper>
      <OrderView id={params.id!} />
    </RequireShopper>
  )
}

const steps: OrderStatus[] = ['pending', 'awaiting_payment', 'confirmed', 'shipped']
/** Nothing follows these: the live stream ends. */
const terminal: OrderStatus[] = ['shipped', 'cancelled']
/** The step of the progress a status stands at: a failed payment still waits for payment. */
const stepOf = (status: OrderStatus): OrderStatus =>
  status === 'payment_failed' ? 'awaiting_payment' : status
const cancellable: OrderStatus[] = ['pending', 'awaiting_payment', 'payment_failed', 'confirmed']

function OrderView({ id }: { id: string }) {
  const order = useLoad((signal) => readOrder(id, signal), [id])
  const signedIn = useStore(session) !== null
  // The latest live event: shown ahead of the order last read until that is read again.
  const [live, setLive] = useState<OrderStatusEvent | undefined>(undefined)
  const [streamError, setStreamError] = useState<unknown>(undefined)
  const [cancelError, setCancelError] = useState<unknown>(undefined)
  const [cancelling, setCancelling] = useState(false)
  // The order last read, for an answer that arrives after a newer one (see PayAgain's).
  const latest = useRef(order.data)
  latest.current = order.data
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
        // Each change is read whole: a confirmation or a cancellation changes the payment, a
        // failed payment brings its reason and how long the order is held.
        order.reload()
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
        readOrder(id, controller.signal).then(
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
  // The stream runs ahead of the order last read until the order is read again; an event from
  // before it (the stream's first, the state a new payment attempt left) changes nothing.
  const newer =
    live && live.status !== data.status && Date.parse(live.at) > Date.parse(data.updatedAt)
      ? live
      : undefined
  const status = newer?.status ?? data.status
  // A failed payment's form needs the whole order (its reason, its deadline): not ahead of it.
  const failed = status === 'payment_failed' && data.status === 'payment_failed'
  const reason = newer ? newer.cancellationReason : data.cancellationReason

  async function cancel() {
    if (!window.confirm('Cancel this order? A paid order is refunded.')) return
    setCancelling(true)
    setCancelError(undefined)
    try {
      order.setData(await cancelOrder(id))
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
      {data.email && (
        <p class="notice info guest-link">
          A link to this order is e-mailed to <strong>{data.email}</strong> once it is confirmed: it
          opens the order any time, without an account.
        </p>
      )}
      <div class="status-box" aria-live="polite">
        <p>
          Status: <strong data-status={status}>{shopperStatusWords[status]}</strong>
        </p>
        {status === 'cancelled' && <p class="error-text">{reasonWords(reason)}</p>}
        {status === 'confirmed' ? (
          <p class="muted">Updating live: this page shows when it ships.</p>
        ) : (
          !terminal.includes(status) &&
          status !== 'payment_failed' && <p class="muted">Updating live…</p>
        )}
      </div>
      {failed && (
        <PayAgain
          order={data}
          onAttempt={(next) => {
            // The attempt's answer, unless the page has read a later state meanwhile (the live
            // stream may tell of the attempt, even its outcome, before its answer comes); then
            // the order read again, so that nothing older stays on the page.
            const shown = latest.current
            if (!shown || Date.parse(next.updatedAt) >= Date.parse(shown.updatedAt)) {
              setLive(undefined)
              order.setData(next)
            }
            order.reload()
          }}
          onRefused={order.reload}
        />
      )}
      {status !== 'cancelled' && (
        <ol class="steps" aria-label="Progress">
          {steps.map((step) => (
            <li
              key={step}
              class={steps.indexOf(step) <= steps.indexOf(stepOf(status)) ? 'done' : ''}
              aria-current={step === stepOf(status) ? 'step' : undefined}
            >
              {statusWords[step]}
            </li>
          ))}
        </ol>
      )}
      {streamError !== undefined && !terminal.includes(status) && (
        <p class="muted">Live updates interrupted; reconnecting…</p>
      )}
      <OrderDetails order={data} settling={settling} />
      <OrderReturns order={data} />
      <ErrorMessage error={cancelError} />
      {cancellable.includes(status) && (
        <button type="button" class="danger" onClick={() => void cancel()} disabled={cancelling}>
          {cancelling ? 'Cancelling…' : 'Cancel order'}
        </button>
      )}
      {signedIn && (
        <p>
          <Link href="/orders">All your orders</Link>
        </p>
      )}
    </section>
  )
}
