import { useState } from 'preact/hooks'
import {
  deliveryStatuses,
  listDeliveries,
  replayRange,
  type DeliveryStatus,
  type DeliverySummary,
} from '../api/webhooks'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'
import { Link } from '../lib/router'
import { deliveryHref } from './webhook-actions'

/** A delivery's status in words. */
export const deliveryStatusWords: Record<DeliveryStatus, string> = {
  pending: 'Pending',
  delivered: 'Delivered',
  failed: 'Failed',
}

/** The last answer of a delivery: its HTTP status, or why there was none. */
export const lastAnswer = (delivery: DeliverySummary) =>
  delivery.lastResponseStatus !== undefined
    ? `HTTP ${delivery.lastResponseStatus}`
    : (delivery.lastError ?? '—')

/**
 * An endpoint's deliveries, newest first, by status, 20 at a time; and the replay of every
 * delivery of a time range. `round` changes when a delivery was added (a test event sent).
 */
export function EndpointDeliveries({ endpointId, round }: { endpointId: string; round: number }) {
  const [status, setStatus] = useState<DeliveryStatus | ''>('')
  const first = useLoad(
    (signal) => listDeliveries(endpointId, status, undefined, signal),
    [endpointId, status, round],
  )
  const [more, setMore] = useState<{ of: unknown; items: DeliverySummary[]; next: string | null }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  // The pages loaded after the first belong to that first page alone.
  const extra = more?.of === first.data ? more : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])]
  const next = extra ? extra.next : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy(true)
    setError(undefined)
    try {
      const page = await listDeliveries(endpointId, status, next)
      setMore({
        of: first.data,
        items: [...(extra?.items ?? []), ...page.items],
        next: page.nextCursor,
      })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="endpoint-deliveries">
      <h3 id="endpoint-deliveries">Deliveries</h3>
      <div class="filters deliveries-filter">
        <div class="field">
          <label for="deliveries-status">Status</label>
          <select
            id="deliveries-status"
            value={status}
            onChange={(event) => setStatus(event.currentTarget.value as DeliveryStatus | '')}
          >
            <option value="">All</option>
            {deliveryStatuses.map((s) => (
              <option key={s} value={s}>
                {deliveryStatusWords[s]}
              </option>
            ))}
          </select>
        </div>
        <div class="actions">
          <button type="button" onClick={first.reload} disabled={first.loading}>
            Refresh deliveries
          </button>
        </div>
      </div>
      <LoadState state={first} />
      <p role="status" class="visually-hidden">
        {first.loading ? '' : `${items.length} deliveries shown.`}
      </p>
      {first.data && items.length === 0 && <p>No deliveries{status ? ' with that status' : ''}.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="deliveries-table">
            <caption class="visually-hidden">Deliveries to this endpoint, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last answer</th>
              </tr>
            </thead>
            <tbody>
              {items.map((delivery) => (
                <tr key={delivery.id}>
                  <td data-label="Created">
                    <Link href={deliveryHref(endpointId, delivery.id)}>
                      {formatDate(delivery.createdAt)}
                      <span class="visually-hidden"> delivery {delivery.id}</span>
                    </Link>
                  </td>
                  <td data-label="Event">
                    <code>{delivery.type}</code>
                  </td>
                  <td data-label="Status" data-status={delivery.status}>
                    {deliveryStatusWords[delivery.status]}
                    {delivery.status === 'pending' && delivery.nextAttemptAt && (
                      <span class="muted"> (next try {formatDate(delivery.nextAttemptAt)})</span>
                    )}
                  </td>
                  <td data-label="Attempts">{delivery.attempts}</td>
                  <td data-label="Last answer">{lastAnswer(delivery)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={error} />
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy}>
          Load more deliveries
        </button>
      )}
      <ReplayRange endpointId={endpointId} onReplayed={first.reload} />
    </section>
  )
}

/** A `datetime-local` value (the browser's time zone) as the API's date-time. */
const instantOf = (local: string) => {
  const at = new Date(local)
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString()
}

function ReplayRange({ endpointId, onReplayed }: { endpointId: string; onReplayed: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [said, setSaid] = useState('')

  async function replay(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const from = instantOf(form.get('from')?.toString() ?? '')
    const to = instantOf(form.get('to')?.toString() ?? '')
    setSaid('')
    if (!from || !to || from >= to) {
      setError(new Error('Choose a start and an end, the start before the end.'))
      return
    }
    setBusy(true)
    setError(undefined)
    try {
      const { replayed } = await replayRange(endpointId, from, to)
      setSaid(
        replayed === 0
          ? 'No deliveries in that range: nothing was sent again.'
          : `${replayed} ${replayed === 1 ? 'delivery' : 'deliveries'} sent again.`,
      )
      onReplayed()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section class="replay-range" aria-labelledby="replay-range">
      <h4 id="replay-range">Replay a time range</h4>
      <p class="muted">
        Every delivery created in the range is sent again, with its event's same id. Times are your
        browser's.
      </p>
      <form class="filters" aria-labelledby="replay-range" onSubmit={(event) => void replay(event)}>
        <div class="field">
          <label for="replay-from">From</label>
          <input id="replay-from" name="from" type="datetime-local" step={1} required />
        </div>
        <div class="field">
          <label for="replay-to">To</label>
          <input id="replay-to" name="to" type="datetime-local" step={1} required />
        </div>
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Please wait…' : 'Replay the range'}
          </button>
        </div>
      </form>
      <p role="status">{said}</p>
      <ErrorMessage error={error} />
    </section>
  )
}
