import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { isNotFound } from '../api/problems'
import { readDelivery, replayDelivery, type Delivery, type DeliveryAttempt } from '../api/webhooks'
import { ErrorMessage, LoadState, Notice, useLoad, useTitle } from '../components/ui'
import { formatDate } from '../lib/format'
import { Link } from '../lib/router'
import { deliveryHref } from './webhook-actions'
import { deliveryStatusWords } from './webhook-deliveries'
import { endpointHref } from './webhooks'
import './back-office.css'

/** How often a pending delivery is read again while its page is open. */
const pendingPollMs = 3000

/** An instant to the second: attempts a few seconds apart stay apart. */
const instant = (iso: string) =>
  new Date(iso).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'medium' })

/**
 * A delivery of one event to one endpoint (issue 21): what was sent (the payload), every attempt
 * (when, how long, the answer or why there was none, the answer's first kilobyte), and a replay.
 * A pending delivery is read again every few seconds until it is settled.
 */
export function AdminWebhookDelivery({
  endpointId,
  deliveryId,
}: {
  endpointId: string
  deliveryId: string
}) {
  const delivery = useLoad((signal) => readDelivery(deliveryId, signal), [deliveryId])
  const data = delivery.data
  useTitle(data ? `Delivery of ${data.type}` : 'Delivery')
  const pending = data?.status === 'pending'
  useEffect(() => {
    if (!pending || delivery.loading) return
    const timer = setTimeout(delivery.reload, pendingPollMs)
    return () => clearTimeout(timer)
  }, [pending, delivery.loading, data])
  return (
    <section aria-labelledby="delivery-title">
      <p>
        <Link href={endpointHref(data?.endpointId ?? endpointId)}>Back to the endpoint</Link>
      </p>
      <h2 id="delivery-title">{data ? `Delivery of ${data.type}` : 'Delivery'}</h2>
      {data ? (
        <>
          <Summary delivery={data} />
          <Replay delivery={data} onReplayed={delivery.reload} />
          <Payload payload={data.payload} />
          <Attempts attempts={data.attemptLog} />
        </>
      ) : isNotFound(delivery.error) ? (
        <p role="alert">No delivery {deliveryId}.</p>
      ) : (
        <LoadState state={delivery} />
      )}
    </section>
  )
}

function Row({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div class="breakdown-row">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  )
}

function Summary({ delivery }: { delivery: Delivery }) {
  return (
    <dl class="breakdown delivery-summary">
      <Row term="Status">
        <span data-delivery-status={delivery.status}>{deliveryStatusWords[delivery.status]}</span>
        {delivery.status === 'pending' && delivery.nextAttemptAt && (
          <span class="muted"> (next try {formatDate(delivery.nextAttemptAt)})</span>
        )}
      </Row>
      <Row term="Event id (webhook-id)">
        <code>{delivery.eventId}</code>
      </Row>
      <Row term="Attempts of the current series">{delivery.attempts}</Row>
      <Row term="Created">{instant(delivery.createdAt)}</Row>
      <Row term="Last change">{instant(delivery.updatedAt)}</Row>
    </dl>
  )
}

function Replay({ delivery, onReplayed }: { delivery: Delivery; onReplayed: () => void }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [replayed, setReplayed] = useState<string>()

  async function replay() {
    setBusy(true)
    setError(undefined)
    setReplayed(undefined)
    try {
      const accepted = await replayDelivery(delivery.id)
      setReplayed(accepted.deliveryId)
      onReplayed()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="delivery-replay">
      <button type="button" onClick={() => void replay()} disabled={busy}>
        {busy ? 'Please wait…' : 'Replay delivery'}
      </button>
      {replayed &&
        (replayed === delivery.id ? (
          <Notice>Delivery sent again, with the same event id.</Notice>
        ) : (
          <Notice>
            Delivery sent again, with the same event id:{' '}
            <Link href={deliveryHref(delivery.endpointId, replayed)}>see the replay</Link>.
          </Notice>
        ))}
      <ErrorMessage error={error} />
    </div>
  )
}

function Payload({ payload }: { payload: unknown }) {
  return (
    <section aria-labelledby="delivery-payload">
      <h3 id="delivery-payload">Payload</h3>
      {/* Focusable: a long payload scrolls, and a keyboard must reach it (axe). */}
      <pre class="payload" tabIndex={0}>
        {JSON.stringify(payload, null, 2)}
      </pre>
    </section>
  )
}

const answerOf = (attempt: DeliveryAttempt) =>
  attempt.responseStatus !== undefined
    ? `HTTP ${attempt.responseStatus}`
    : (attempt.error ?? 'no answer')

function Attempts({ attempts }: { attempts: DeliveryAttempt[] }) {
  return (
    <section aria-labelledby="delivery-attempts">
      <h3 id="delivery-attempts">Attempts</h3>
      {attempts.length === 0 ? (
        <p>Not tried yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="attempts-table">
            <caption class="visually-hidden">Every attempt, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Answer</th>
                <th scope="col">Response (first kilobyte)</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((attempt, i) => (
                <tr key={`${attempt.startedAt}-${i}`}>
                  <td data-label="Started">{instant(attempt.startedAt)}</td>
                  <td data-label="Duration">{attempt.durationMs} ms</td>
                  <td data-label="Answer">{answerOf(attempt)}</td>
                  <td data-label="Response">
                    {attempt.responseBody ? <code>{attempt.responseBody}</code> : '—'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}
