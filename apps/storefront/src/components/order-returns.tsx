import { useState } from 'preact/hooks'
import {
  lineKey,
  orderReturns,
  requestReturn,
  type ItemLine,
  type OrderReturn,
  type StaffOrder,
} from '../api/backoffice'
import { formatDate, formatMoney } from '../lib/format'
import { ErrorMessage, Notice, useLoad } from './ui'

/** A return's state in a shopper's words. */
export function returnWords(item: Pick<OrderReturn, 'status' | 'deadlineAt'>): string {
  switch (item.status) {
    case 'requested':
      return item.deadlineAt
        ? `Requested: please send the items back by ${formatDate(item.deadlineAt)}.`
        : 'Requested: please send the items back.'
    case 'received':
      return 'Received: your refund is on its way.'
    case 'refunded':
      return 'Refunded.'
    case 'rejected':
      return 'Not accepted by the shop.'
    case 'expired':
      return 'Closed: the items did not arrive in time.'
    default:
      return item.status.replace(/_/g, ' ')
  }
}

const itemName = (order: Pick<StaffOrder, 'items'>, line: ItemLine) => {
  const item = order.items.find((i) => lineKey(i) === lineKey(line))
  return item ? `${item.name}${item.variantLabel ? ` (${item.variantLabel})` : ''}` : 'An item'
}

/**
 * The shopper's returns and refunds of an order (issue 19), and "Return items" on a shipped
 * one: which lines, how many, and why. A platform without returns shows none (no error).
 */
export function OrderReturns({ order }: { order: StaffOrder }) {
  // Only a shipped order takes returns (a cancelled one may have had some before).
  const returnable = order.status === 'shipped' || order.status === 'cancelled'
  const returns = useLoad(
    (signal) => (returnable ? orderReturns(order.id, signal) : Promise.resolve([])),
    [order.id, returnable],
  )
  const [open, setOpen] = useState(false)
  const [quantities, setQuantities] = useState<Record<string, number>>({})
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [problem, setProblem] = useState('')
  const [sent, setSent] = useState(false)
  const items = returns.data ?? []
  const refunds = order.refunds ?? []

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const lines: ItemLine[] = order.items
      .map((item) => ({
        productId: item.productId,
        ...(item.variantId ? { variantId: item.variantId } : {}),
        quantity: quantities[lineKey(item)] ?? 0,
      }))
      .filter((line) => line.quantity > 0)
    if (lines.length === 0) {
      setProblem('Choose how many of which items you are returning.')
      return
    }
    if (!reason.trim()) {
      setProblem('Tell us why you are returning them.')
      return
    }
    setProblem('')
    setBusy(true)
    setError(undefined)
    try {
      await requestReturn(order.id, lines, reason.trim())
      setSent(true)
      setOpen(false)
      setQuantities({})
      setReason('')
      returns.reload()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  if (order.status !== 'shipped' && items.length === 0 && refunds.length === 0) return null
  return (
    <section aria-labelledby="returns-title">
      <h2 id="returns-title">Returns and refunds</h2>
      {sent && <Notice>Your return request is sent. We e-mail you what happens next.</Notice>}
      {refunds.length > 0 && (
        <ul class="refunds">
          {refunds.map((refund) => (
            <li key={refund.id} data-refund={refund.status}>
              Refund of <strong>{formatMoney(refund.amount)}</strong>
              {refund.status === 'refunded'
                ? ' sent to your card'
                : refund.status === 'failed'
                  ? ' did not go through'
                  : ' under way'}{' '}
              ({formatDate(refund.createdAt)})
            </li>
          ))}
        </ul>
      )}
      {items.length > 0 && (
        <ul class="returns">
          {items.map((item) => (
            <li key={item.id} data-return={item.status}>
              {item.lines.map((line) => `${line.quantity} × ${itemName(order, line)}`).join(', ')}
              <br />
              <span class="muted">{returnWords(item)}</span>
            </li>
          ))}
        </ul>
      )}
      {order.status === 'shipped' && !open && (
        <button type="button" onClick={() => setOpen(true)}>
          Return items
        </button>
      )}
      {open && (
        <form class="panel stack" aria-label="Return items" onSubmit={(e) => void submit(e)}>
          {order.items.map((item) => (
            <div class="field inline" key={lineKey(item)}>
              <label for={`return-qty-${lineKey(item)}`}>
                {item.name}
                {item.variantLabel && ` (${item.variantLabel})`}: how many to return (of{' '}
                {item.quantity})
              </label>
              <input
                id={`return-qty-${lineKey(item)}`}
                type="number"
                min={0}
                max={item.quantity}
                value={quantities[lineKey(item)] ?? 0}
                onInput={(e) => {
                  const value = Math.min(item.quantity, Math.max(0, Number(e.currentTarget.value)))
                  setQuantities((all) => ({ ...all, [lineKey(item)]: value || 0 }))
                }}
              />
            </div>
          ))}
          <div class="field">
            <label for="return-reason">Why are you returning them?</label>
            <textarea
              id="return-reason"
              rows={2}
              maxLength={500}
              value={reason}
              onInput={(e) => setReason(e.currentTarget.value)}
            />
          </div>
          {problem && (
            <p class="field-error" role="alert">
              {problem}
            </p>
          )}
          <ErrorMessage error={error} />
          <div class="row">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Sending…' : 'Request the return'}
            </button>{' '}
            <button type="button" onClick={() => setOpen(false)}>
              Never mind
            </button>
          </div>
        </form>
      )}
    </section>
  )
}
