import { randomKey, type Order } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { isTooManyDeclines } from '../api/problems'
import { formatLocalDate, formatMoney, holdLeft, paymentErrorWords } from '../lib/format'
import { withRetryAfter } from '../lib/retry-after'
import { CardFields, readCard } from './card-fields'
import { ErrorMessage } from './ui'

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
export function PayAgain({
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
