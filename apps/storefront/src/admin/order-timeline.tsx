import { orderTimeline, type TimelineEntry } from '../api/backoffice'
import { LoadState, useLoad } from '../components/ui'
import { formatDate, formatMoney } from '../lib/format'

/** A few words from an event's data that staff look for: a status, an amount, a reason. */
export function eventSummary(entry: TimelineEntry): string {
  const data = (entry.data ?? {}) as Record<string, unknown>
  const parts: string[] = []
  for (const key of ['status', 'reason', 'action', 'declineReason', 'trackingNumber']) {
    const value = data[key]
    if (typeof value === 'string' && value) parts.push(value.replace(/_/g, ' '))
  }
  for (const key of ['amount', 'total']) {
    const value = data[key] as { amount?: unknown; currency?: unknown } | undefined
    if (typeof value?.amount === 'number' && typeof value.currency === 'string') {
      parts.push(formatMoney({ amount: value.amount, currency: value.currency }))
      break
    }
  }
  return parts.join(' · ')
}

/** Every event the order went through, oldest first, as the reporting service received them. */
export function OrderTimeline({ orderId }: { orderId: string }) {
  const timeline = useLoad((signal) => orderTimeline(orderId, signal), [orderId])
  const items = timeline.data ?? []
  return (
    <section aria-labelledby="staff-order-timeline">
      <h3 id="staff-order-timeline">Timeline</h3>
      <LoadState state={timeline} />
      {timeline.data && items.length === 0 && <p>No events recorded for this order yet.</p>}
      {items.length > 0 && (
        <ol class="timeline">
          {items.map((entry) => {
            const summary = eventSummary(entry)
            return (
              <li key={entry.eventId} data-type={entry.type}>
                <strong>{entry.type}</strong>
                {summary && <> · {summary}</>}
                <br />
                <span class="muted">
                  {formatDate(entry.occurredAt)}, from {entry.source}
                </span>
              </li>
            )
          })}
        </ol>
      )}
    </section>
  )
}
