import { randomBytes, randomUUID } from 'node:crypto'
import { webhooks } from '@emporium/contracts'
import { AppError, decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'
import { checkEndpointUrl } from '../domain/endpoint-url.js'
import { payloadOf } from '../domain/payload.js'
import { eventTypeDescriptions } from './event-types.js'
import type { DeliveryStore, EndpointStore, StoredEndpoint } from './ports.js'

export function endpointNotFound(): AppError {
  return new AppError('not_found', 'WEBHOOKS.ENDPOINT_NOT_FOUND', 'There is no such endpoint.')
}

/** A signing secret: `whsec_` and 32 random bytes in base64 (Standard Webhooks' form). */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`
}

/** The endpoint as the API shows it: never its secrets. */
export function endpointView(endpoint: StoredEndpoint): webhooks.Endpoint {
  return {
    id: endpoint.id,
    url: endpoint.url,
    eventTypes: endpoint.eventTypes,
    ...(endpoint.description === null ? {} : { description: endpoint.description }),
    status: endpoint.status,
    ...(endpoint.disabledReason === null ? {} : { disabledReason: endpoint.disabledReason }),
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
    ...(endpoint.secretRotatedAt === null
      ? {}
      : { secretRotatedAt: endpoint.secretRotatedAt.toISOString() }),
    ...(endpoint.failingSince === null
      ? {}
      : { failingSince: endpoint.failingSince.toISOString() }),
  }
}

function invalidUrl(message: string): AppError {
  return new AppError('unprocessable', 'WEBHOOKS.INVALID_URL', `The URL ${message}.`, {
    details: { errors: [{ path: '/body/url', message }] },
  })
}

/** Event types once each, in the order given. */
const distinct = (types: webhooks.WebhookEventType[]) => [...new Set(types)]

/**
 * The endpoint use cases of the back office (issue 21): register, list, read, change, delete,
 * rotate the secret, send a test event.
 */
export function createManageEndpoints(deps: {
  endpoints: EndpointStore
  deliveries: DeliveryStore
  allowedHosts: readonly string[]
  now: () => Date
  newId?: () => string
}) {
  const newId = deps.newId ?? randomUUID
  const url = (text: string) => {
    const checked = checkEndpointUrl(text, deps.allowedHosts)
    if (!checked.ok) throw invalidUrl(checked.message)
    return checked.url
  }

  async function get(id: string): Promise<StoredEndpoint> {
    const endpoint = await deps.endpoints.get(id)
    if (!endpoint) throw endpointNotFound()
    return endpoint
  }

  return {
    eventTypes: (): webhooks.EventTypeList => ({
      items: webhooks.webhookEventTypes.map((type) => ({
        type,
        description: eventTypeDescriptions[type],
      })),
    }),

    async create(
      body: webhooks.CreateEndpointBody,
      createdBy: string,
    ): Promise<webhooks.CreatedEndpoint> {
      const now = deps.now()
      const endpoint: StoredEndpoint = {
        id: newId(),
        url: url(body.url),
        eventTypes: distinct(body.eventTypes),
        description: body.description ?? null,
        status: 'enabled',
        disabledReason: null,
        createdBy,
        secret: newSecret(),
        previousSecret: null,
        previousSecretExpiresAt: null,
        secretRotatedAt: null,
        failingSince: null,
        createdAt: now,
        updatedAt: now,
      }
      await deps.endpoints.create(endpoint)
      return { ...endpointView(endpoint), secret: endpoint.secret }
    },

    async list(query: webhooks.EndpointListQuery): Promise<webhooks.EndpointPage> {
      const limit = query.limit ?? 20
      const after =
        query.cursor === undefined
          ? undefined
          : decodeTimeIdCursor(query.cursor, 'WEBHOOKS.INVALID_CURSOR')
      const rows = await deps.endpoints.list({ limit, ...(after ? { after } : {}) })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return {
        items: items.map(endpointView),
        nextCursor:
          rows.length > limit && last
            ? encodeTimeIdCursor({ at: last.createdAt, id: last.id })
            : null,
      }
    },

    get: async (id: string) => endpointView(await get(id)),

    async update(id: string, body: webhooks.UpdateEndpointBody): Promise<webhooks.Endpoint> {
      const newUrl = body.url === undefined ? undefined : url(body.url)
      const now = deps.now()
      const updated = await deps.endpoints.update(id, (current) => {
        const enabling = body.enabled === true && current.status === 'disabled'
        return {
          ...current,
          ...(newUrl === undefined ? {} : { url: newUrl }),
          ...(body.eventTypes === undefined ? {} : { eventTypes: distinct(body.eventTypes) }),
          ...(body.description === undefined ? {} : { description: body.description }),
          ...(body.enabled === false && current.status === 'enabled'
            ? { status: 'disabled' as const, disabledReason: 'manual' }
            : {}),
          // Enabled again: a fresh start, as if it had never failed.
          ...(enabling
            ? { status: 'enabled' as const, disabledReason: null, failingSince: null }
            : {}),
          updatedAt: now,
        }
      })
      if (!updated) throw endpointNotFound()
      return endpointView(updated)
    },

    async delete(id: string): Promise<void> {
      if (!(await deps.endpoints.delete(id))) throw endpointNotFound()
    },

    async rotateSecret(
      id: string,
      body: webhooks.RotateSecretBody,
    ): Promise<webhooks.RotatedSecret> {
      const now = deps.now()
      const overlapMs = (body.overlapSeconds ?? 86_400) * 1000
      const expiresAt = new Date(now.getTime() + overlapMs)
      const secret = newSecret()
      const updated = await deps.endpoints.update(id, (current) => ({
        ...current,
        secret,
        previousSecret: current.secret,
        previousSecretExpiresAt: expiresAt,
        secretRotatedAt: now,
        updatedAt: now,
      }))
      if (!updated) throw endpointNotFound()
      return { secret, previousSecretExpiresAt: expiresAt.toISOString() }
    },

    async sendTest(id: string): Promise<webhooks.DeliveryAccepted> {
      const endpoint = await get(id)
      if (endpoint.status !== 'enabled') {
        throw new AppError(
          'conflict',
          'WEBHOOKS.ENDPOINT_DISABLED',
          'The endpoint is disabled: enable it first.',
        )
      }
      const now = deps.now()
      const deliveryId = newId()
      const eventId = `msg_${randomUUID()}`
      await deps.deliveries.add({
        id: deliveryId,
        endpointId: id,
        eventId,
        type: 'webhook.test',
        body: payloadOf('webhook.test', now, {
          endpointId: id,
          message: 'This is a test event from Emporium.',
        }),
        at: now,
      })
      return { deliveryId }
    },
  }
}

export type ManageEndpoints = ReturnType<typeof createManageEndpoints>
