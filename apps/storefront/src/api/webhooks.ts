import type { CallResult } from '@emporium/sdk'
import type { webhooks } from '@emporium/contracts'
import { shop, unwrap } from './client'

// The webhooks service's public API (issue 21; webhooks.manage) through the shop's client (its
// token and refresh, its resend of shed requests, its problems) until the SDK's generated types
// carry it. The shapes are the contracts' own (packages/contracts/src/webhooks/http.ts), imported
// as types only: erased from the build, so the schema library never rides along.

export type WebhookEventType = webhooks.WebhookEventType
export type EventTypeInfo = webhooks.EventTypeInfo
export type Endpoint = webhooks.Endpoint
export type CreatedEndpoint = webhooks.CreatedEndpoint
export type EndpointPage = webhooks.EndpointPage
export type CreateEndpointBody = webhooks.CreateEndpointBody
export type UpdateEndpointBody = webhooks.UpdateEndpointBody
export type RotatedSecret = webhooks.RotatedSecret
export type DeliveryStatus = webhooks.DeliveryStatus
export type DeliveryAttempt = webhooks.DeliveryAttempt
export type DeliverySummary = webhooks.DeliverySummary
export type Delivery = webhooks.Delivery
export type DeliveryPage = webhooks.DeliveryPage
export type DeliveryAccepted = webhooks.DeliveryAccepted
export type ReplayedRange = webhooks.ReplayedRange

// Every status of the contracts' `DeliveryStatus`, and no other: the compiler checks the keys.
const statuses: Record<DeliveryStatus, null> = { pending: null, delivered: null, failed: null }

/** The statuses of a delivery, for the deliveries' filter. */
export const deliveryStatuses = Object.keys(statuses) as DeliveryStatus[]

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
  get<webhooks.EventTypeList>('/api/v1/webhooks/event-types', { signal }).then((l) => l.items)

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
