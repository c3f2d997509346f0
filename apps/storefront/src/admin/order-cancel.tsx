import { useState } from 'preact/hooks'
import { cancelWithReason, type StaffOrder } from '../api/backoffice'
import { ErrorMessage } from '../components/ui'
import { staffCancelReasons, staffReasonLabels, type StaffCancelReason } from '../lib/cancellation'

const cancellable = ['pending', 'awaiting_payment', 'payment_failed', 'confirmed']

/** Staff cancel an order with a reason (and a note, needed for "other"), until it ships. */
export function OrderCancel({
  order,
  onCancelled,
}: {
  order: StaffOrder
  onCancelled: (order: StaffOrder) => void
}) {
  const [reason, setReason] = useState<StaffCancelReason>('customer_request')
  const [note, setNote] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [problem, setProblem] = useState('')
  if (!cancellable.includes(order.status)) return null

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (reason === 'other' && !note.trim()) {
      setProblem('Say why in the note.')
      return
    }
    setProblem('')
    if (!window.confirm('Cancel this order? A paid order is refunded.')) return
    setBusy(true)
    setError(undefined)
    try {
      onCancelled(await cancelWithReason(order.id, reason, note.trim() || undefined))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="staff-order-cancel">
      <h3 id="staff-order-cancel">Cancel the order</h3>
      <form class="panel stack" aria-label="Cancel the order" onSubmit={(e) => void submit(e)}>
        <div class="field">
          <label for="cancel-reason">Reason</label>
          <select
            id="cancel-reason"
            value={reason}
            onChange={(e) => setReason(e.currentTarget.value as StaffCancelReason)}
          >
            {staffCancelReasons.map((value) => (
              <option key={value} value={value}>
                {staffReasonLabels[value]}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="cancel-note">Note for staff (optional unless “Other”)</label>
          <textarea
            id="cancel-note"
            maxLength={1000}
            rows={2}
            value={note}
            onInput={(e) => setNote(e.currentTarget.value)}
          />
        </div>
        {problem && (
          <p class="field-error" role="alert">
            {problem}
          </p>
        )}
        <ErrorMessage error={error} />
        <button type="submit" class="danger" disabled={busy}>
          {busy ? 'Cancelling…' : 'Cancel order'}
        </button>
      </form>
    </section>
  )
}
