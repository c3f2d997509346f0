import { EmporiumProblem } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { fieldMessage } from '../api/problems'
import type { Endpoint, EventTypeInfo, WebhookEventType } from '../api/webhooks'
import { ErrorMessage } from '../components/ui'

/** What the endpoint form holds: the fields of `POST /webhooks/endpoints`. */
export interface EndpointFields {
  url: string
  eventTypes: WebhookEventType[]
  description: string
}

type Field = keyof EndpointFields

/** A refused form's messages, each by the field it is about; `rest` for what names none. */
interface FieldProblems {
  byField: Partial<Record<Field, string>>
  rest: unknown
}

const fieldNames: readonly Field[] = ['url', 'eventTypes', 'description']
const labels: Record<Field, string> = {
  url: 'URL',
  eventTypes: 'Event types',
  description: 'Description',
}

/**
 * A 400/422 problem's field errors (`/body/url`, `/eventTypes/0`…) by the form's fields; the
 * service's `WEBHOOKS.INVALID_URL` (an address it will not send to) by the URL field. Anything
 * else is left for the form's own message.
 */
export function fieldProblems(error: unknown): FieldProblems {
  if (!(error instanceof EmporiumProblem) || (error.status !== 400 && error.status !== 422)) {
    return { byField: {}, rest: error }
  }
  const byField: Partial<Record<Field, string>> = {}
  for (const found of error.errors ?? []) {
    const step = found.path.replace(/^\/body(?=\/|$)/, '').split('/')[1]
    const field = fieldNames.find((name) => name === step)
    if (field && !byField[field]) byField[field] = fieldMessage(found.message)
  }
  if (error.code === 'WEBHOOKS.INVALID_URL' && !byField.url) {
    byField.url = error.detail || 'is not an address deliveries can be sent to'
  }
  return { byField, rest: Object.keys(byField).length > 0 ? undefined : error }
}

export const fieldsOf = (endpoint: Endpoint): EndpointFields => ({
  url: endpoint.url,
  eventTypes: [...endpoint.eventTypes],
  description: endpoint.description ?? '',
})

/**
 * The fields of an endpoint, to register one or to change one: URL, event types (checkboxes,
 * with what each tells) and description. A refusal is shown by the field it is about.
 */
export function EndpointForm({
  prefix,
  eventTypes,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  /** Ids of the form's fields start with it (two forms on one page stay apart). */
  prefix: string
  eventTypes: readonly EventTypeInfo[]
  initial: EndpointFields
  submitLabel: string
  /** Resolves when saved (the form is reset to `initial`); rejects with the API's problem. */
  onSubmit: (fields: EndpointFields) => Promise<void>
  onCancel?: () => void
}) {
  const [fields, setFields] = useState(initial)
  const [busy, setBusy] = useState(false)
  const [problems, setProblems] = useState<FieldProblems>({ byField: {}, rest: undefined })

  function toggle(type: WebhookEventType, on: boolean) {
    setFields((current) => ({
      ...current,
      eventTypes: on
        ? eventTypes.map((t) => t.type).filter((t) => t === type || current.eventTypes.includes(t))
        : current.eventTypes.filter((t) => t !== type),
    }))
  }

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    setBusy(true)
    setProblems({ byField: {}, rest: undefined })
    try {
      await onSubmit({ ...fields, url: fields.url.trim(), description: fields.description.trim() })
      setFields(initial)
    } catch (failure) {
      setProblems(fieldProblems(failure))
    } finally {
      setBusy(false)
    }
  }

  const problem = (field: Field) => problems.byField[field]
  const invalid = (field: Field) =>
    problem(field)
      ? { 'aria-invalid': true as const, 'aria-describedby': `${prefix}-${field}-problem` }
      : {}
  const said = (field: Field) =>
    problem(field) && (
      <small id={`${prefix}-${field}-problem`} class="field-error">
        {labels[field]}: {problem(field)}.
      </small>
    )

  return (
    <form class="stack endpoint-form" onSubmit={(event) => void submit(event)} noValidate>
      <div class="field">
        <label for={`${prefix}-url`}>URL</label>
        <input
          id={`${prefix}-url`}
          name="url"
          type="url"
          required
          autoComplete="off"
          placeholder="https://partner.example/webhooks"
          value={fields.url}
          onInput={(event) => setFields({ ...fields, url: event.currentTarget.value })}
          {...invalid('url')}
        />
        {said('url')}
      </div>
      <fieldset
        class="event-types"
        aria-describedby={problem('eventTypes') ? `${prefix}-eventTypes-problem` : undefined}
      >
        <legend>Event types</legend>
        {eventTypes.map((info) => (
          <label key={info.type} class="check">
            <input
              type="checkbox"
              name="eventTypes"
              value={info.type}
              checked={fields.eventTypes.includes(info.type)}
              onChange={(event) => toggle(info.type, event.currentTarget.checked)}
            />{' '}
            <span>
              <code>{info.type}</code> <span class="muted">{info.description}</span>
            </span>
          </label>
        ))}
        {said('eventTypes')}
      </fieldset>
      <div class="field">
        <label for={`${prefix}-description`}>Description (optional)</label>
        <textarea
          id={`${prefix}-description`}
          name="description"
          rows={2}
          maxLength={500}
          value={fields.description}
          onInput={(event) => setFields({ ...fields, description: event.currentTarget.value })}
          {...invalid('description')}
        />
        {said('description')}
      </div>
      {Object.keys(problems.byField).length > 0 && (
        <p class="notice error" role="alert">
          Please check the fields marked above.{' '}
          {fieldNames
            .filter((field) => problem(field))
            .map((field) => `${labels[field]}: ${problem(field)}.`)
            .join(' ')}
        </p>
      )}
      <ErrorMessage error={problems.rest} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Please wait…' : submitLabel}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel} disabled={busy}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}
