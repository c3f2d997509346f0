import { useState } from 'preact/hooks'
import {
  lineKey,
  newRefundKey,
  readStaffOrder,
  refundOrder,
  type ItemLine,
  type StaffOrder,
} from '../api/backoffice'
import { ErrorMessage, Notice } from '../components/ui'
import { formatMoney, parsePrice } from '../lib/format'

/**
 * A partial refund: an amount, or some of the order's lines. One Idempotency-Key per refund
 * typed: sending the same form again after an error (a lost answer) never refunds twice; a
 * change to the form is another refund and takes a new key.
 */
export function RefundForm({
  order,
  onRefunded,
}: {
  order: StaffOrder
  onRefunded: (order: StaffOrder) => void
}) {
  const [mode, setMode] = useState<'amount' | 'lines'>('amount')
  const [amount, setAmount] = useState('')
  const [quantities, setQuantities] = useState<Record<string, number>>({})
  const [reason, setReason] = useState('')
  const [key, setKey] = useState(newRefundKey)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [problem, setProblem] = useState('')
  const [done, setDone] = useState('')
  const currency = order.total.currency
  const edited = () => {
    setKey(newRefundKey())
    setDone('')
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    setProblem('')
    let body
    if (mode === 'amount') {
      const minor = parsePrice(amount, currency)
      if (!minor) {
        setProblem('Type the amount to refund, e.g. 5.00.')
        return
      }
      body = { amount: { amount: minor, currency } }
    } else {
      const lines: ItemLine[] = order.items
        .map((item) => ({
          productId: item.productId,
          ...(item.variantId ? { variantId: item.variantId } : {}),
          quantity: quantities[lineKey(item)] ?? 0,
        }))
        .filter((line) => line.quantity > 0)
      if (lines.length === 0) {
        setProblem('Choose at least one item to refund.')
        return
      }
      body = { lines }
    }
    setBusy(true)
    setError(undefined)
    try {
      const refund = await refundOrder(
        order.id,
        { ...body, ...(reason.trim() ? { reason: reason.trim() } : {}) },
        key,
      )
      setDone(`Refund of ${formatMoney(refund.amount)} ${refund.status}.`)
      setAmount('')
      setQuantities({})
      setReason('')
      setKey(newRefundKey())
      onRefunded(await readStaffOrder(order.id))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="panel stack" aria-label="Refund" onSubmit={(e) => void submit(e)}>
      <h4>Refund</h4>
      <fieldset onChange={edited}>
        <legend>Refund by</legend>
        <div class="field checkbox">
          <input
            id="refund-by-amount"
            type="radio"
            name="refund-mode"
            checked={mode === 'amount'}
            onChange={() => setMode('amount')}
          />
          <label for="refund-by-amount">An amount</label>
        </div>
        <div class="field checkbox">
          <input
            id="refund-by-items"
            type="radio"
            name="refund-mode"
            checked={mode === 'lines'}
            onChange={() => setMode('lines')}
          />
          <label for="refund-by-items">Items</label>
        </div>
      </fieldset>
      {mode === 'amount' ? (
        <div class="field">
          <label for="refund-amount">Amount ({currency})</label>
          <input
            id="refund-amount"
            inputMode="decimal"
            value={amount}
            onInput={(e) => {
              setAmount(e.currentTarget.value)
              edited()
            }}
          />
        </div>
      ) : (
        order.items.map((item) => (
          <div class="field inline" key={lineKey(item)}>
            <label for={`refund-qty-${lineKey(item)}`}>
              {item.name}
              {item.variantLabel && ` (${item.variantLabel})`}, of {item.quantity}
            </label>
            <input
              id={`refund-qty-${lineKey(item)}`}
              type="number"
              min={0}
              max={item.quantity}
              value={quantities[lineKey(item)] ?? 0}
              onInput={(e) => {
                const value = Math.max(0, Math.min(item.quantity, Number(e.currentTarget.value)))
                setQuantities((all) => ({ ...all, [lineKey(item)]: value || 0 }))
                edited()
              }}
            />
          </div>
        ))
      )}
      <div class="field">
        <label for="refund-reason">Reason (optional)</label>
        <input
          id="refund-reason"
          maxLength={500}
          value={reason}
          onInput={(e) => {
            setReason(e.currentTarget.value)
            edited()
          }}
        />
      </div>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <ErrorMessage error={error} />
      {done && <Notice>{done}</Notice>}
      <button type="submit" disabled={busy}>
        {busy ? 'Refunding…' : 'Refund'}
      </button>
    </form>
  )
}
