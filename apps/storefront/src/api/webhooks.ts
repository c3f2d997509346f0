import type { CallResult } from '@emporium/sdk'
import type { webhooks } from '@emporium/contracts'
import { shop, unwrap } from './client'

// The webhooks service's public API (issue 21; webhooks.manage) through the shop's client (its
// token and refresh, its resend of shed requests, its problems) until the SDK's generated types
// carry it. The shapes are the contracts' own (packages/contracts/src/webhooks/http.ts), imported
// as types only: erased from the build, so the schema library never rides along.

/**
 * One of the contracts' `webhookEventTypes`. The contracts' schemas of an event type are unions
 * built by mapping that list, which typebox's `Static` reads as `never`: the fields that hold one
 * are typed with this instead, and the rest is the contracts' as it is.
 */
export type WebhookEventType = webhooks.WebhookEventType
type Typed<T, K extends keyof T, V> = Omit<T, K> & {
  [P in K]: undefined extends T[P] ? V | undefined : V
}

export type EventTypeInfo = Typed<webhooks.EventTypeInfo, 'type', WebhookEventType>
export type Endpoint = Typed<webhooks.Endpoint, 'eventTypes', WebhookEventType[]>
export type CreatedEndpoint = Endpoint & Pick<webhooks.CreatedEndpoint, 'secret'>
export type EndpointPage = Omit<webhooks.EndpointPage, 'items'> & { items: Endpoint[] }
export type CreateEndpointBody = Typed<
  webhooks.CreateEndpointBody,
  'eventTypes',
  WebhookEventType[]
>
export type UpdateEndpointBody = Omit<webhooks.UpdateEndpointBody, 'eventTypes'> & {
  eventTypes?: WebhookEventType[]
}
export type RotatedSecret = webhooks.RotatedSecret
export type DeliveryStatus = webhooks.DeliveryStatus
export type DeliveryAttempt = webhooks.DeliveryAttempt
export type DeliverySummary = Typed<webhooks.DeliverySummary, 'type', WebhookEventType>
export type Delivery = Typed<webhooks.Delivery, 'type', WebhookEventType>
export type DeliveryPage = Omit<webhooks.DeliveryPage, 'items'> & { items: DeliverySummary[] }
export type DeliveryAccepted = webhooks.DeliveryAccepted
export type ReplayedRange = webhooks.ReplayedRange

/** The statuses of a delivery (the contracts' `DeliveryStatus`), for the deliveries' filter. */
export const deliveryStatuses: readonly DeliveryStatus[] = ['pending', 'delivered', 'failed']

/** The longest overlap of two secrets a rotation takes (the contracts' `RotateSecretBody`). */
export const maxOverlapSeconds = 604_800

interface Init {
  body?: unknown
  params?: {
    path?: Record<string, string>
    query?: Record<string, string | number | undefined>
  }
  signal?: AbortSignal | undefined
}

/** The shop's client without the generated paths' types (for the routes above only). */
interface LooseClient {
  GET(path: string, init?: Init): Promise<CallResult<unknown>>
  POST(path: string, init?: Init): Promise<CallResult<unknown>>
  PATCH(path: string, init?: Init): Promise<CallResult<unknown>>
  DELETE(path: string, init?: Init): Promise<CallResult<unknown>>
}
const loose = shop as unknown as LooseClient

const get = <T>(path: string, init: Init): Promise<T> => unwrap(loose.GET(path, init)) as Promise<T>
const post = <T>(path: string, init: Init): Promise<T> =>
  unwrap(loose.POST(path, init)) as Promise<T>

const byId = (id: string) => ({ path: { id } })

export const listEventTypes = (signal?: AbortSignal) =>
  get<{ items: EventTypeInfo[] }>('/api/v1/webhooks/event-types', { signal }).then((l) => l.items)

export const listEndpoints = (cursor?: string, signal?: AbortSignal) =>
  get<EndpointPage>('/api/v1/webhooks/endpoints', {
    params: { query: { limit: 20, cursor } },
    signal,
  })

/** `POST /webhooks/endpoints`: the endpoint, with its signing secret (answered this once). */
export const registerEndpoint = (body: CreateEndpointBody) =>
  post<CreatedEndpoint>('/api/v1/webhooks/endpoints', { body })

export const readEndpoint = (id: string, signal?: AbortSignal) =>
  get<Endpoint>('/api/v1/webhooks/endpoints/{id}', { params: byId(id), signal })

export const changeEndpoint = (id: string, body: UpdateEndpointBody) =>
  unwrap(
    loose.PATCH('/api/v1/webhooks/endpoints/{id}', { params: byId(id), body }),
  ) as Promise<Endpoint>

export const deleteEndpoint = (id: string) =>
  unwrap(loose.DELETE('/api/v1/webhooks/endpoints/{id}', { params: byId(id) }))

/** A new secret; the old one keeps signing beside it for `overlapSeconds`. */
export const rotateSecret = (id: string, overlapSeconds?: number) =>
  post<RotatedSecret>('/api/v1/webhooks/endpoints/{id}/secret/rotate', {
    params: byId(id),
    body: overlapSeconds === undefined ? {} : { overlapSeconds },
  })

export const sendTestEvent = (id: string) =>
  post<DeliveryAccepted>('/api/v1/webhooks/endpoints/{id}/test', { params: byId(id) })

export const listDeliveries = (
  id: string,
  status: DeliveryStatus | '',
  cursor?: string,
  signal?: AbortSignal,
) =>
  get<DeliveryPage>('/api/v1/webhooks/endpoints/{id}/deliveries', {
    params: { ...byId(id), query: { status: status || undefined, cursor, limit: 20 } },
    signal,
  })

export const readDelivery = (id: string, signal?: AbortSignal) =>
  get<Delivery>('/api/v1/webhooks/deliveries/{id}', { params: byId(id), signal })

export const replayDelivery = (id: string) =>
  post<DeliveryAccepted>('/api/v1/webhooks/deliveries/{id}/replay', { params: byId(id) })

/** Every delivery of the endpoint made from `from` to `to` sent again. */
export const replayRange = (id: string, from: string, to: string) =>
  post<ReplayedRange>('/api/v1/webhooks/endpoints/{id}/replay', {
    params: byId(id),
    body: { from, to },
  })
