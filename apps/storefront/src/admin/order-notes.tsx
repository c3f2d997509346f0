import { useState } from 'preact/hooks'
import { addOrderNote, orderNotes, type OrderNote } from '../api/backoffice'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'

/** Internal notes on an order: staff only, never shown to the shopper. */
export function OrderNotes({ orderId, canAdd = true }: { orderId: string; canAdd?: boolean }) {
  const notes = useLoad((signal) => orderNotes(orderId, signal), [orderId])
  const [added, setAdded] = useState<OrderNote[]>([])
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const known = new Set((notes.data ?? []).map((note) => note.id))
  const all = [...(notes.data ?? []), ...added.filter((note) => !known.has(note.id))]

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    if (!text.trim()) return
    setBusy(true)
    setError(undefined)
    try {
      const note = await addOrderNote(orderId, text.trim())
      setAdded((list) => [...list, note])
      setText('')
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="staff-order-notes">
      <h3 id="staff-order-notes">Internal notes</h3>
      <p class="muted">Seen by staff only, never by the customer.</p>
      <LoadState state={notes} />
      {notes.data && all.length === 0 && <p>No notes yet.</p>}
      {all.length > 0 && (
        <ul class="notes">
          {all.map((note) => (
            <li key={note.id}>
              <p>{note.text}</p>
              <p class="muted">
                {note.author.name ?? note.author.email ?? note.author.userId},{' '}
                {formatDate(note.createdAt)}
              </p>
            </li>
          ))}
        </ul>
      )}
      {canAdd && (
        <form class="stack" aria-label="Add a note" onSubmit={(e) => void submit(e)}>
          <div class="field">
            <label for="new-note">New note</label>
            <textarea
              id="new-note"
              rows={3}
              maxLength={2000}
              required
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </div>
          <ErrorMessage error={error} />
          <button type="submit" disabled={busy}>
            {busy ? 'Adding…' : 'Add note'}
          </button>
        </form>
      )}
    </section>
  )
}
