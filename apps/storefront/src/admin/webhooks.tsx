import { useState } from 'preact/hooks'
import {
  listEndpoints,
  listEventTypes,
  registerEndpoint,
  type CreatedEndpoint,
  type Endpoint,
} from '../api/webhooks'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'
import { Link } from '../lib/router'
import { EndpointForm, type EndpointFields } from './webhook-form'
import { SecretOnce } from './webhook-secret'
import './back-office.css'

const empty: EndpointFields = { url: '', eventTypes: [], description: '' }

/** Where an endpoint's page is. */
export const endpointHref = (id: string) => `/admin/webhooks/${encodeURIComponent(id)}`

/** An endpoint's state in words: enabled, or disabled and why. */
export function endpointState(endpoint: Endpoint): string {
  if (endpoint.status === 'enabled') return endpoint.failingSince ? 'Enabled, failing' : 'Enabled'
  return endpoint.disabledReason === 'failing'
    ? 'Disabled (failed for too long)'
    : endpoint.disabledReason === 'manual'
      ? 'Disabled by an admin'
      : 'Disabled'
}

/**
 * Partners' webhook endpoints (issue 21; webhooks.manage): register one (its signing secret shown
 * this once), and the endpoints registered, newest first, 20 at a time.
 */
export function AdminWebhooks() {
  const types = useLoad((signal) => listEventTypes(signal), [])
  const first = useLoad((signal) => listEndpoints(undefined, signal), [])
  const [more, setMore] = useState<{ items: Endpoint[]; next: string | null }>()
  const [created, setCreated] = useState<CreatedEndpoint>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  // One just registered is listed first, even before the list is read again.
  const fresh = created && !first.data?.items.some((e) => e.id === created.id) ? [created] : []
  const items = [...fresh, ...(first.data?.items ?? []), ...(more?.items ?? [])]
  const next = more ? more.next : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy(true)
    setError(undefined)
    try {
      const page = await listEndpoints(next)
      setMore({ items: [...(more?.items ?? []), ...page.items], next: page.nextCursor })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  async function register(fields: EndpointFields) {
    const endpoint = await registerEndpoint({
      url: fields.url,
      eventTypes: fields.eventTypes,
      ...(fields.description ? { description: fields.description } : {}),
    })
    setCreated(endpoint)
  }

  return (
    <section aria-labelledby="admin-webhooks">
      <h2 id="admin-webhooks">Webhooks</h2>
      <p class="muted">
        Partners' endpoints receive the shop's events as signed HTTP requests (Standard Webhooks),
        retried for a day when they fail.
      </p>
      <section class="register-endpoint" aria-labelledby="register-endpoint">
        <h3 id="register-endpoint">Register endpoint</h3>
        <LoadState state={types} />
        {types.data && (
          <EndpointForm
            prefix="register"
            eventTypes={types.data}
            initial={empty}
            submitLabel="Register endpoint"
            onSubmit={register}
          />
        )}
      </section>
      {created && (
        <div class="endpoint-created">
          <p class="notice info" role="status">
            Endpoint {created.url} registered.{' '}
            <Link href={endpointHref(created.id)}>Open its page</Link>
          </p>
          <SecretOnce heading="Its signing secret" secret={created.secret} />
        </div>
      )}
      <h3>Endpoints</h3>
      <LoadState state={first} />
      {first.data && items.length === 0 && <p>No endpoints registered yet.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="endpoints-table">
            <caption class="visually-hidden">Registered endpoints, newest first</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Event types</th>
                <th scope="col">State</th>
                <th scope="col">Registered</th>
              </tr>
            </thead>
            <tbody>
              {items.map((endpoint) => (
                <tr key={endpoint.id}>
                  <td data-label="URL">
                    <Link href={endpointHref(endpoint.id)}>{endpoint.url}</Link>
                    {endpoint.description && (
                      <>
                        <br />
                        <span class="muted">{endpoint.description}</span>
                      </>
                    )}
                  </td>
                  <td data-label="Event types">{endpoint.eventTypes.join(', ')}</td>
                  <td data-label="State">{endpointState(endpoint)}</td>
                  <td data-label="Registered">{formatDate(endpoint.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={error} />
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy}>
          Load more endpoints
        </button>
      )}
    </section>
  )
}
