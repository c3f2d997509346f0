import { useRef, useState } from 'preact/hooks'
import { formatDate } from '../lib/format'

/**
 * An endpoint's signing secret, which the service answers only when it makes one (registration,
 * rotation): shown with a copy button and the plain warning that it will not be shown again. A
 * browser that refuses the clipboard leaves the secret selected, for the admin to copy.
 */
export function SecretOnce({
  secret,
  heading,
  previousExpiresAt,
}: {
  secret: string
  heading: string
  /** After a rotation: until when the previous secret still signs. */
  previousExpiresAt?: string | undefined
}) {
  const [copied, setCopied] = useState('')
  const field = useRef<HTMLInputElement>(null)

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied('Secret copied to the clipboard.')
    } catch {
      field.current?.select()
      setCopied('The browser did not let the page copy it: press Ctrl+C (⌘C) to copy it.')
    }
  }

  return (
    <section class="webhook-secret" aria-labelledby="webhook-secret-heading">
      <h3 id="webhook-secret-heading">{heading}</h3>
      <p>
        <strong>Copy this signing secret now: you will not see it again.</strong> Give it to the
        partner, who verifies each delivery's <code>webhook-signature</code> with it.
      </p>
      <div class="secret-row">
        <label for="webhook-secret-value" class="visually-hidden">
          Signing secret
        </label>
        <input
          id="webhook-secret-value"
          ref={field}
          readOnly
          value={secret}
          class="secret-value"
          spellcheck={false}
          autoComplete="off"
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" onClick={() => void copy()}>
          Copy secret
        </button>
      </div>
      {previousExpiresAt && (
        <p>
          The previous secret still signs deliveries, beside this one, until{' '}
          {formatDate(previousExpiresAt)}.
        </p>
      )}
      <p role="status" class="muted">
        {copied}
      </p>
    </section>
  )
}
