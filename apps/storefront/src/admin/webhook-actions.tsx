import { useState } from 'preact/hooks'
import { maxOverlapSeconds, rotateSecret, sendTestEvent, type RotatedSecret } from '../api/webhooks'
import { ErrorMessage } from '../components/ui'
import { Link } from '../lib/router'
import { SecretOnce } from './webhook-secret'

/** Where a delivery's page is: below its endpoint's. */
export const deliveryHref = (endpointId: string, deliveryId: string) =>
  `/admin/webhooks/${encodeURIComponent(endpointId)}/deliveries/${encodeURIComponent(deliveryId)}`

/** `POST /endpoints/{id}/test`: a `webhook.test` event queued for the endpoint alone. */
export function SendTestEvent({
  endpointId,
  enabled,
  onSent,
}: {
  endpointId: string
  /** A disabled endpoint is sent nothing, tests included (409 WEBHOOKS.ENDPOINT_DISABLED). */
  enabled: boolean
  onSent: () => void
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [sent, setSent] = useState<string>()

  async function send() {
    setBusy(true)
    setError(undefined)
    setSent(undefined)
    try {
      const accepted = await sendTestEvent(endpointId)
      setSent(accepted.deliveryId)
      onSent()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="send-test">
      <h3 id="send-test">Test event</h3>
      <p class="muted">
        Sends a <code>webhook.test</code> event to this endpoint only, signed like every delivery.
      </p>
      {!enabled && <p id="send-test-hint">Enable the endpoint to send it a test event.</p>}
      <button
        type="button"
        onClick={() => void send()}
        disabled={busy || !enabled}
        aria-describedby={enabled ? undefined : 'send-test-hint'}
      >
        {busy ? 'Sending…' : 'Send test event'}
      </button>
      <div role="status">
        {sent && (
          <p class="notice info">
            Test event queued. <Link href={deliveryHref(endpointId, sent)}>See its delivery</Link>
          </p>
        )}
      </div>
      <ErrorMessage error={error} />
    </section>
  )
}

const hour = 3600

/**
 * `POST /endpoints/{id}/secret/rotate`: a new signing secret, shown once; the previous one keeps
 * signing beside it for the overlap (both signatures are sent), so the partner can switch over.
 */
export function RotateSecret({ endpointId }: { endpointId: string }) {
  const [hours, setHours] = useState('24')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [rotated, setRotated] = useState<RotatedSecret>()
  const overlap = Number(hours)
  const valid =
    hours.trim() !== '' &&
    Number.isFinite(overlap) &&
    overlap >= 0 &&
    overlap * hour <= maxOverlapSeconds

  async function rotate(event: SubmitEvent) {
    event.preventDefault()
    if (!valid) return
    setBusy(true)
    setError(undefined)
    setRotated(undefined)
    try {
      setRotated(await rotateSecret(endpointId, Math.round(overlap * hour)))
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="rotate-secret">
      <h3 id="rotate-secret">Rotate the signing secret</h3>
      <form class="stack rotate-form" onSubmit={(event) => void rotate(event)}>
        <div class="field inline">
          <label for="rotate-overlap">Overlap (hours)</label>
          <input
            id="rotate-overlap"
            type="number"
            inputMode="decimal"
            min={0}
            max={maxOverlapSeconds / hour}
            step="any"
            value={hours}
            aria-describedby="rotate-overlap-hint"
            aria-invalid={valid ? undefined : true}
            onInput={(event) => setHours(event.currentTarget.value)}
          />
          <small id="rotate-overlap-hint" class="muted">
            How long the previous secret still signs, beside the new one: 0 to{' '}
            {maxOverlapSeconds / hour} hours.
          </small>
        </div>
        <button type="submit" disabled={busy || !valid}>
          {busy ? 'Please wait…' : 'Rotate secret'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {rotated && (
        <SecretOnce
          heading="The new signing secret"
          secret={rotated.secret}
          previousExpiresAt={rotated.previousSecretExpiresAt}
        />
      )}
    </section>
  )
}
