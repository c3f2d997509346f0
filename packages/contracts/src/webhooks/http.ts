import Type from 'typebox'
import { CursorParam, DateTimeParam, Id, MultilineText, Text } from '../text.js'

/*
 * The webhooks service's HTTP API (issue 21; API.md, "Webhooks"; docs/webhooks.md for partners):
 * staff with `webhooks.manage` register partners' endpoints, read the delivery log, send test
 * events and replay deliveries. Every delivery follows the Standard Webhooks specification.
 */

/**
 * The event types a partner may subscribe to: events other services publish, and `webhook.test`
 * (the test event an admin sends). A delivery's `type` is one of these.
 */
export const webhookEventTypes = [
  'order.placed',
  'order.confirmed',
  'order.cancelled',
  'order.shipped',
  'payment.refunded',
  'shipment.created',
  'shipment.delivered',
  'product.created',
  'product.updated',
  'product.deleted',
  'webhook.test',
] as const
export type WebhookEventType = (typeof webhookEventTypes)[number]

/** One of `webhookEventTypes`. */
export const WebhookEventTypeSchema = Type.Union(
  [
    Type.Literal('order.placed'),
    Type.Literal('order.confirmed'),
    Type.Literal('order.cancelled'),
    Type.Literal('order.shipped'),
    Type.Literal('payment.refunded'),
    Type.Literal('shipment.created'),
    Type.Literal('shipment.delivered'),
    Type.Literal('product.created'),
    Type.Literal('product.updated'),
    Type.Literal('product.deleted'),
    Type.Literal('webhook.test'),
  ],
  { description: 'An event type partners may subscribe to (`GET /webhooks/event-types`).' },
)
// The list and the schema name the same types.
const sameTypes: WebhookEventType extends Type.Static<typeof WebhookEventTypeSchema>
  ? Type.Static<typeof WebhookEventTypeSchema> extends WebhookEventType
    ? true
    : false
  : false = true
void sameTypes

/** One subscribable event type and what it tells. */
export const EventTypeInfo = Type.Object({
  type: WebhookEventTypeSchema,
  description: Type.String(),
})
export type EventTypeInfo = Type.Static<typeof EventTypeInfo>

/** `GET /webhooks/event-types`. */
export const EventTypeList = Type.Object({ items: Type.Array(EventTypeInfo) })
export type EventTypeList = Type.Static<typeof EventTypeList>

/** An endpoint's URL: https (http only for hosts on WEBHOOKS_ALLOWED_HOSTS), no userinfo. */
export const EndpointUrl = Text({
  minLength: 1,
  maxLength: 2048,
  description:
    'Absolute https URL without user name or password, at most 2 kB (http only for the hosts ' +
    'of the development allow-list). 422 `WEBHOOKS.INVALID_URL` otherwise.',
})

const EventTypes = Type.Array(WebhookEventTypeSchema, {
  minItems: 1,
  maxItems: 50,
  description: 'The event types delivered to it: at least one, each a known type.',
})

const Description = MultilineText({ maxLength: 500, description: 'Shown to admins only.' })

/** Body of `POST /webhooks/endpoints`. */
export const CreateEndpointBody = Type.Object(
  { url: EndpointUrl, eventTypes: EventTypes, description: Type.Optional(Description) },
  { additionalProperties: false },
)
export type CreateEndpointBody = Type.Static<typeof CreateEndpointBody>

/** Body of `PATCH /webhooks/endpoints/{id}`: the fields to change. */
export const UpdateEndpointBody = Type.Object(
  {
    url: Type.Optional(EndpointUrl),
    eventTypes: Type.Optional(EventTypes),
    /** `null` removes it. */
    description: Type.Optional(Type.Union([Description, Type.Null()])),
    /** false disables the endpoint (nothing is delivered to it); true enables it again. */
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateEndpointBody = Type.Static<typeof UpdateEndpointBody>

/** `enabled`, or `disabled` (by an admin, or after failing for too long). */
export const EndpointStatus = Type.Union([Type.Literal('enabled'), Type.Literal('disabled')])
export type EndpointStatus = Type.Static<typeof EndpointStatus>

/** A partner's endpoint. Its secret is never shown here. */
export const Endpoint = Type.Object({
  id: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(WebhookEventTypeSchema),
  description: Type.Optional(Type.String()),
  status: EndpointStatus,
  /** Why it is disabled: `manual` (an admin), `failing` (failing longer than the limit). */
  disabledReason: Type.Optional(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  /** When the secret was last rotated. */
  secretRotatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  /** Since when every attempt to it has failed (absent while it answers). */
  failingSince: Type.Optional(Type.String({ format: 'date-time' })),
})
export type Endpoint = Type.Static<typeof Endpoint>

/** `POST /webhooks/endpoints`: the endpoint and its signing secret, shown this once. */
export const CreatedEndpoint = Type.Object({
  ...Endpoint.properties,
  /** The signing secret (`whsec_` and base64): shown only here and at rotation. */
  secret: Type.String(),
})
export type CreatedEndpoint = Type.Static<typeof CreatedEndpoint>

/** Query of `GET /webhooks/endpoints`: newest first. */
export const EndpointListQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type EndpointListQuery = Type.Static<typeof EndpointListQuery>

export const EndpointPage = Type.Object({
  items: Type.Array(Endpoint),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type EndpointPage = Type.Static<typeof EndpointPage>

/** Path parameters of an endpoint or a delivery. */
export const WebhookParams = Type.Object({ id: Id() })
export type WebhookParams = Type.Static<typeof WebhookParams>

/** Body of `POST /webhooks/endpoints/{id}/secret/rotate`. */
export const RotateSecretBody = Type.Object(
  {
    /** How long the previous secret still signs (both signatures are sent): default 1 day. */
    overlapSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 604_800, default: 86_400 })),
  },
  { additionalProperties: false },
)
export type RotateSecretBody = Type.Static<typeof RotateSecretBody>

export const RotatedSecret = Type.Object({
  /** The new signing secret: shown only here. */
  secret: Type.String(),
  /** Until when deliveries carry the previous secret's signature too. */
  previousSecretExpiresAt: Type.String({ format: 'date-time' }),
})
export type RotatedSecret = Type.Static<typeof RotatedSecret>

/** `pending` (to be sent, or retried), `delivered` (a 2xx answer) or `failed` (given up). */
export const DeliveryStatus = Type.Union([
  Type.Literal('pending'),
  Type.Literal('delivered'),
  Type.Literal('failed'),
])
export type DeliveryStatus = Type.Static<typeof DeliveryStatus>

/** One try to deliver. */
export const DeliveryAttempt = Type.Object({
  startedAt: Type.String({ format: 'date-time' }),
  durationMs: Type.Integer({ minimum: 0 }),
  /** The HTTP status answered, when there was an answer. */
  responseStatus: Type.Optional(Type.Integer()),
  /** Why no answer counted: a timeout, a refused connection or address, a redirect… */
  error: Type.Optional(Type.String()),
  /** The answer's first kilobyte, as text. */
  responseBody: Type.Optional(Type.String()),
})
export type DeliveryAttempt = Type.Static<typeof DeliveryAttempt>

/** A delivery of one event to one endpoint, as listed. */
export const DeliverySummary = Type.Object({
  id: Type.String(),
  endpointId: Type.String(),
  /** The `webhook-id` header: the event's stable id, the same at every attempt and replay. */
  eventId: Type.String(),
  type: WebhookEventTypeSchema,
  status: DeliveryStatus,
  /** Attempts of the current series (a replay starts a new one). */
  attempts: Type.Integer({ minimum: 0 }),
  /** When it is tried next (pending only). */
  nextAttemptAt: Type.Optional(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastResponseStatus: Type.Optional(Type.Integer()),
  lastError: Type.Optional(Type.String()),
})
export type DeliverySummary = Type.Static<typeof DeliverySummary>

/** `GET /webhooks/deliveries/{id}`: the delivery, its payload and every attempt, oldest first. */
export const Delivery = Type.Object({
  ...DeliverySummary.properties,
  /** The body sent: `{type, timestamp, data}`. */
  payload: Type.Unknown(),
  /** Every attempt, of every series, oldest first. */
  attemptLog: Type.Array(DeliveryAttempt),
})
export type Delivery = Type.Static<typeof Delivery>

/** Query of `GET /webhooks/endpoints/{id}/deliveries`: newest first. */
export const DeliveryListQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(CursorParam),
  },
  { additionalProperties: false },
)
export type DeliveryListQuery = Type.Static<typeof DeliveryListQuery>

export const DeliveryPage = Type.Object({
  items: Type.Array(DeliverySummary),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
})
export type DeliveryPage = Type.Static<typeof DeliveryPage>

/** `POST /webhooks/endpoints/{id}/test` and `POST /webhooks/deliveries/{id}/replay`. */
export const DeliveryAccepted = Type.Object({ deliveryId: Type.String() })
export type DeliveryAccepted = Type.Static<typeof DeliveryAccepted>

/** The most deliveries one range replay sends again. */
export const maxReplayRange = 10_000

/** Body of `POST /webhooks/endpoints/{id}/replay`: deliveries created in [from, to). */
export const ReplayRangeBody = Type.Object(
  { from: DateTimeParam(), to: DateTimeParam() },
  { additionalProperties: false },
)
export type ReplayRangeBody = Type.Static<typeof ReplayRangeBody>

export const ReplayedRange = Type.Object({
  /** How many deliveries are sent again. */
  replayed: Type.Integer({ minimum: 0 }),
})
export type ReplayedRange = Type.Static<typeof ReplayedRange>
