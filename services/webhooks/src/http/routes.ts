import Type from 'typebox'
import { Problem, webhooks } from '@emporium/contracts'
import { bearerAuth, identityOf, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { ManageDeliveries } from '../app/manage-deliveries.js'
import type { ManageEndpoints } from '../app/manage-endpoints.js'

const tags = ['webhooks']
const config = { permission: 'webhooks.manage' } as const
const problems = { 400: Problem, 401: Problem, 403: Problem }
const params = webhooks.WebhookParams

/** The use cases the routes call, wired by service.ts. */
export interface WebhooksRoutesDeps {
  verifier: JwtVerifier
  endpoints: ManageEndpoints
  deliveries: ManageDeliveries
}

/**
 * The webhooks service's routes (API.md, "Webhooks"; the gateway serves them under `/api/v1`):
 * staff with `webhooks.manage` only, each route's config.permission (issue 19's check).
 */
export function webhooksRoutes(deps: WebhooksRoutesDeps): HttpRoutes {
  return async (app) => {
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)
    const { endpoints, deliveries } = deps

    app.get(
      '/webhooks/event-types',
      {
        config,
        schema: {
          tags,
          summary: 'The event types a partner may subscribe to (staff: webhooks.manage)',
          response: { 200: webhooks.EventTypeList, ...problems },
        },
      },
      async () => endpoints.eventTypes(),
    )

    app.post(
      '/webhooks/endpoints',
      {
        config,
        schema: {
          tags,
          summary: 'Register a partner endpoint (staff: webhooks.manage)',
          description:
            'Answers the endpoint with its signing `secret`, shown only here and at rotation. ' +
            '422 `WEBHOOKS.INVALID_URL` for a URL that is not https (http only for allow-listed ' +
            'development hosts), carries a user name or password, or is longer than 2 kB.',
          body: webhooks.CreateEndpointBody,
          response: { 201: webhooks.CreatedEndpoint, ...problems, 422: Problem },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await endpoints.create(request.body, identityOf(request)!.userId)),
    )

    app.get(
      '/webhooks/endpoints',
      {
        config,
        schema: {
          tags,
          summary: 'List the endpoints, newest first (staff: webhooks.manage)',
          querystring: webhooks.EndpointListQuery,
          response: { 200: webhooks.EndpointPage, ...problems },
        },
      },
      async (request) => endpoints.list(request.query),
    )

    app.get(
      '/webhooks/endpoints/:id',
      {
        config,
        schema: {
          tags,
          summary: 'An endpoint (staff: webhooks.manage)',
          params,
          response: { 200: webhooks.Endpoint, ...problems, 404: Problem },
        },
      },
      async (request) => endpoints.get(request.params.id),
    )

    app.patch(
      '/webhooks/endpoints/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Change an endpoint, disable or enable it (staff: webhooks.manage)',
          description:
            'The URL follows the rules of registration. `enabled: true` on a disabled endpoint ' +
            'starts it afresh: its pending deliveries are sent again.',
          params,
          body: webhooks.UpdateEndpointBody,
          response: { 200: webhooks.Endpoint, ...problems, 404: Problem, 422: Problem },
        },
      },
      async (request) => endpoints.update(request.params.id, request.body),
    )

    app.delete(
      '/webhooks/endpoints/:id',
      {
        config,
        schema: {
          tags,
          summary: 'Delete an endpoint and its delivery log (staff: webhooks.manage)',
          params,
          response: { 204: Type.Null({ description: 'Deleted.' }), ...problems, 404: Problem },
        },
      },
      async (request, reply) => {
        await endpoints.delete(request.params.id)
        return reply.code(204).send(null)
      },
    )

    app.post(
      '/webhooks/endpoints/:id/secret/rotate',
      {
        config,
        schema: {
          tags,
          summary: 'Rotate the signing secret (staff: webhooks.manage)',
          description:
            'A new secret, shown only here; during the overlap (default a day, at most 7) every ' +
            'delivery carries the signatures of both the new and the previous secret.',
          params,
          body: webhooks.RotateSecretBody,
          response: { 200: webhooks.RotatedSecret, ...problems, 404: Problem },
        },
      },
      async (request) => endpoints.rotateSecret(request.params.id, request.body),
    )

    app.post(
      '/webhooks/endpoints/:id/test',
      {
        config,
        schema: {
          tags,
          summary: 'Send a test event (staff: webhooks.manage)',
          description:
            'A `webhook.test` event, delivered like any other. 409 `WEBHOOKS.ENDPOINT_DISABLED` ' +
            'for a disabled endpoint.',
          params,
          response: { 202: webhooks.DeliveryAccepted, ...problems, 404: Problem, 409: Problem },
        },
      },
      async (request, reply) => reply.code(202).send(await endpoints.sendTest(request.params.id)),
    )

    app.get(
      '/webhooks/endpoints/:id/deliveries',
      {
        config,
        schema: {
          tags,
          summary: "An endpoint's deliveries, newest first (staff: webhooks.manage)",
          params,
          querystring: webhooks.DeliveryListQuery,
          response: { 200: webhooks.DeliveryPage, ...problems, 404: Problem },
        },
      },
      async (request) => deliveries.list(request.params.id, request.query),
    )

    app.post(
      '/webhooks/endpoints/:id/replay',
      {
        config,
        schema: {
          tags,
          summary: "Replay an endpoint's deliveries of a time range (staff: webhooks.manage)",
          description:
            'Every delivery created in [from, to) is sent again, each with its own `webhook-id`, ' +
            'as a new series of attempts. At most 10,000 (422 `WEBHOOKS.REPLAY_TOO_LARGE`); ' +
            '400 `WEBHOOKS.INVALID_RANGE` unless `from` comes before `to`.',
          params,
          body: webhooks.ReplayRangeBody,
          response: { 202: webhooks.ReplayedRange, ...problems, 404: Problem, 422: Problem },
        },
      },
      async (request, reply) =>
        reply.code(202).send(await deliveries.replayRange(request.params.id, request.body)),
    )

    app.get(
      '/webhooks/deliveries/:id',
      {
        config,
        schema: {
          tags,
          summary: 'A delivery, its payload and every attempt (staff: webhooks.manage)',
          params,
          response: { 200: webhooks.Delivery, ...problems, 404: Problem },
        },
      },
      async (request) => deliveries.get(request.params.id),
    )

    app.post(
      '/webhooks/deliveries/:id/replay',
      {
        config,
        schema: {
          tags,
          summary: 'Send a delivery again (staff: webhooks.manage)',
          description:
            'The same body and `webhook-id` (receivers de-duplicate on it), a new series of attempts.',
          params,
          response: { 202: webhooks.DeliveryAccepted, ...problems, 404: Problem },
        },
      },
      async (request, reply) => reply.code(202).send(await deliveries.replay(request.params.id)),
    )
  }
}
