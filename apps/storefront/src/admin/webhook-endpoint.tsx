import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { isNotFound } from '../api/problems'
import {
  changeEndpoint,
  deleteEndpoint,
  listEventTypes,
  readEndpoint,
  type Endpoint,
} from '../api/webhooks'
import { ErrorMessage, LoadState, Notice, useLoad, useTitle } from '../components/ui'
import { formatDate } from '../lib/format'
import { Link, navigate } from '../lib/router'
import { EndpointDeliveries } from './webhook-deliveries'
import { EndpointForm, fieldsOf, type EndpointFields } from './webhook-form'
import { RotateSecret, SendTestEvent } from './webhook-actions'
import { endpointState } from './webhooks'
import './back-office.css'

/**
 * A partner's endpoint (issue 21): its details, enable or disable it, change it, rotate its
 * secret, send it a test event, delete it; its deliveries, filtered and paged, and replays.
 */
export function AdminWebhookEndpoint({ id }: { id: string }) {
  const endpoint = useLoad((signal) => readEndpoint(id, signal), [id])
  const [notice, setNotice] = useState('')
  // A test event sent: the deliveries are read again to show it.
  const [round, setRound] = useState(0)
  const data = endpoint.data
  useTitle(data ? `Webhook endpoint ${data.url}` : 'Webhook endpoint')
  return (
    <section aria-labelledby="endpoint-title">
      <p>
        <Link href="/admin/webhooks">All endpoints</Link>
      </p>
      <h2 id="endpoint-title">{data ? data.url : 'Webhook endpoint'}</h2>
      {!data &&
        (isNotFound(endpoint.error) ? (
          <p role="alert">No endpoint {id}.</p>
        ) : (
          <LoadState state={endpoint} />
        ))}
      {notice && <Notice>{notice}</Notice>}
      {data && (
        <>
          <Details
            endpoint={data}
            onChanged={(changed, said) => {
              endpoint.setData(changed)
              setNotice(said)
            }}
          />
          <div class="endpoint-actions">
            <SendTestEvent
              endpointId={id}
              enabled={data.status === 'enabled'}
              onSent={() => {
                setNotice('')
                setRound((n) => n + 1)
              }}
            />
            <RotateSecret endpointId={id} />
          </div>
          <EndpointDeliveries endpointId={id} round={round} />
        </>
      )}
    </section>
  )
}

function Details({
  endpoint,
  onChanged,
}: {
  endpoint: Endpoint
  onChanged: (endpoint: Endpoint, notice: string) => void
}) {
  const [editing, setEditing] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const enabled = endpoint.status === 'enabled'

  async function run(action: () => Promise<void>) {
    setBusy(true)
    setError(undefined)
    try {
      await action()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  const toggle = () =>
    run(async () => {
      const changed = await changeEndpoint(endpoint.id, { enabled: !enabled })
      onChanged(changed, enabled ? 'Endpoint disabled.' : 'Endpoint enabled.')
    })

  const remove = () =>
    run(async () => {
      if (!window.confirm(`Delete the endpoint ${endpoint.url}? Nothing more is sent to it.`)) {
        return
      }
      await deleteEndpoint(endpoint.id)
      navigate('/admin/webhooks')
    })

  async function save(fields: EndpointFields) {
    const changed = await changeEndpoint(endpoint.id, {
      url: fields.url,
      eventTypes: fields.eventTypes,
      description: fields.description || null,
    })
    setEditing(false)
    onChanged(changed, 'Endpoint saved.')
  }

  return (
    <section aria-labelledby="endpoint-details">
      <h3 id="endpoint-details">Details</h3>
      <dl class="breakdown endpoint-details">
        <Row term="URL">
          <code>{endpoint.url}</code>
        </Row>
        <Row term="State">
          <span data-endpoint-state>{endpointState(endpoint)}</span>
          {endpoint.failingSince && (
            <span class="muted"> (failing since {formatDate(endpoint.failingSince)})</span>
          )}
        </Row>
        <Row term="Event types">{endpoint.eventTypes.join(', ')}</Row>
        <Row term="Description">{endpoint.description || '—'}</Row>
        <Row term="Registered">{formatDate(endpoint.createdAt)}</Row>
        <Row term="Secret rotated">
          {endpoint.secretRotatedAt ? formatDate(endpoint.secretRotatedAt) : 'never'}
        </Row>
      </dl>
      <div class="row">
        <button type="button" onClick={() => void toggle()} disabled={busy}>
          {enabled ? 'Disable endpoint' : 'Enable endpoint'}
        </button>
        {!editing && (
          <button type="button" onClick={() => setEditing(true)} disabled={busy}>
            Edit endpoint
          </button>
        )}
        <button type="button" class="danger" onClick={() => void remove()} disabled={busy}>
          Delete endpoint
        </button>
      </div>
      <ErrorMessage error={error} />
      {editing && (
        <EditEndpoint endpoint={endpoint} onSave={save} onCancel={() => setEditing(false)} />
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

function EditEndpoint({
  endpoint,
  onSave,
  onCancel,
}: {
  endpoint: Endpoint
  onSave: (fields: EndpointFields) => Promise<void>
  onCancel: () => void
}) {
  const types = useLoad((signal) => listEventTypes(signal), [])
  return (
    <section class="edit-endpoint" aria-labelledby="edit-endpoint">
      <h4 id="edit-endpoint">Edit endpoint</h4>
      <LoadState state={types} />
      {types.data && (
        <EndpointForm
          prefix="edit"
          eventTypes={types.data}
          initial={fieldsOf(endpoint)}
          submitLabel="Save endpoint"
          onSubmit={onSave}
          onCancel={onCancel}
        />
      )}
    </section>
  )
}
