import { randomKey, type Order, type OrderStatus, type OrderStatusEvent } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { refreshCartAfterOrder } from '../api/cart'
import { shop, unwrap } from '../api/client'
import { isNotFound, isTooManyDeclines } from '../api/problems'
import { followOrder } from '../api/order-events'
import { CardFields, readCard } from '../components/card-fields'
import { ErrorMessage, LoadState, useLoad, useTitle } from '../components/ui'
import { countryName } from '../lib/countries'
import {
  formatDate,
  formatLocalDate,
  formatMoney,
  holdLeft,
  paymentErrorWords,
  paymentSettling,
  paymentWords,
  reasonWords,
  shopperStatusWords,
  statusWords,
} from '../lib/format'
import { withRetryAfter } from '../lib/retry-after'
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
/** The step of the progress a status stands at: a failed payment still waits for payment. */
const stepOf = (status: OrderStatus): OrderStatus =>
  status === 'payment_failed' ? 'awaiting_payment' : status
const cancellable: OrderStatus[] = ['pending', 'awaiting_payment', 'payment_failed', 'confirmed']

function OrderView({ id }: { id: string }) {
  const order = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/orders/{id}', { params: { path: { id } }, signal })),
    [id],
  )
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

/** Placement-like tries for a new payment attempt when the shop sheds a burst. */
const attemptTries = 5

/** The fields a held order carries since issue 18 (optional: older answers lack them). */
type HeldOrder = Order & {
  paymentDueBy?: string
  lastPaymentError?: string
  paymentAttempt?: number
}

/**
 * An order whose payment failed, while it is held: why, until when, and a form to pay it with
 * another card (the address stays the order's). Each attempt has its own Idempotency-Key, kept
 * while the same card is sent again (a double click, a resend after the shop shed it), so an
 * attempt is made once. Past the deadline the form is gone: the shop cancels the order.
 */
function PayAgain({
  order,
  onAttempt,
  onRefused,
}: {
  order: HeldOrder
  onAttempt: (order: Order) => void
  onRefused: () => void
}) {
  const [now, setNow] = useState(() => Date.now())
  const left = holdLeft(order, now)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [notice, setNotice] = useState<string | undefined>(undefined)
  // The attempt being sent: what identifies the card typed (in memory only) and its key.
  const attempt = useRef<{ card: string; key: string } | undefined>(undefined)
  const submitting = useRef(false)

  // The form goes when the hold ends, without a reload of the page.
  useEffect(() => {
    if (left === undefined || left === 0) return
    const timer = setTimeout(() => setNow(Date.now()), Math.min(left + 250, 2 ** 31 - 1))
    return () => clearTimeout(timer)
  }, [left])

  const reasonText = paymentErrorWords(order.lastPaymentError)
  const due = order.paymentDueBy ? formatLocalDate(order.paymentDueBy) : undefined
  if (left === 0) {
    return (
      <div class="notice error pay-again" role="status">
        <p>{reasonText}</p>
        <p>
          The hold on this order ended{due ? ` on ${due}` : ''}: it can no longer be paid, and it is
          being cancelled.
        </p>
      </div>
    )
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (submitting.current) return
    const element = event.currentTarget as HTMLFormElement
    const payment = readCard(new FormData(element))
    const card = JSON.stringify(payment)
    if (attempt.current?.card !== card) attempt.current = { card, key: randomKey() }
    const key = attempt.current.key
    submitting.current = true
    setBusy(true)
    setError(undefined)
    try {
      const next = await withRetryAfter(
        () =>
          unwrap(
            shop.POST('/api/v1/orders/{id}/payment-attempts', {
              params: { path: { id: order.id }, header: { 'idempotency-key': key } },
              body: { payment },
            }),
          ),
        {
          tries: attemptTries,
          maxWaitSeconds: 10,
          onWait: (seconds, nextTry) =>
            setNotice(
              `The shop is very busy. Trying again in ${seconds} s (try ${nextTry} of ${attemptTries})…`,
            ),
        },
      )
      // Made: another card (or this one again) after this is a new attempt with a new key.
      attempt.current = undefined
      element.reset()
      onAttempt(next)
    } catch (failure) {
      const status = (failure as { status?: number }).status
      if (status === 409) onRefused()
      setError(
        (status === 503 || status === 429) && !isTooManyDeclines(failure)
          ? new Error(
              'The shop is too busy to take your payment right now, and nothing was charged. ' +
                'Please try again in a minute.',
            )
          : failure,
      )
    } finally {
      setNotice(undefined)
      submitting.current = false
      setBusy(false)
    }
  }

  return (
    <div class="pay-again">
      <div class="notice error" role="alert">
        <p>{reasonText}</p>
        {due && (
          <p>
            We are holding your order until <strong>{due}</strong>: pay with another card to
            complete it, or cancel it.
          </p>
        )}
      </div>
      <form class="checkout" aria-labelledby="pay-again-title" onSubmit={(e) => void submit(e)}>
        <h2 id="pay-again-title">Pay with another card</h2>
        <p class="muted">Your order ships to the address you gave; only the card changes.</p>
        <CardFields prefix="pay" legend="New card" />
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" class="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Paying…' : `Pay ${formatMoney(order.total)}`}
        </button>
      </form>
    </div>
  )
}
