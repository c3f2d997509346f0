import Type from 'typebox'
import { Problem, shipping } from '@emporium/contracts'
import type { HttpRoutes } from '@emporium/platform'
import type { createManageZones } from '../app/manage-zones.js'
import { actorOf } from './actor.js'

const tags = ['shipping']
const problems = { 400: Problem, 401: Problem, 403: Problem }

/** Shipping zones of the back office (issue 18). */
export function zoneRoutes(deps: { zones: ReturnType<typeof createManageZones> }): HttpRoutes {
  return async (app) => {
    const { zones } = deps
    app.get(
      '/shipping/zones',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'List the shipping zones (staff: shipping.write)',
          response: { 200: shipping.ZoneList, ...problems },
        },
      },
      async () => zones.list(),
    )

    app.post(
      '/shipping/zones',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Create a shipping zone (staff: shipping.write)',
          description:
            'Each country, or country and region, at most once (400 `SHIPPING.DUPLICATE_COUNTRY`).',
          body: shipping.CreateZoneBody,
          response: { 201: shipping.Zone, ...problems },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await zones.create(request.body, actorOf(request))),
    )

    app.get(
      '/shipping/zones/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'A shipping zone (staff: shipping.write)',
          params: shipping.ShippingParams,
          response: { 200: shipping.Zone, ...problems, 404: Problem },
        },
      },
      async (request) => zones.get(request.params.id),
    )

    app.patch(
      '/shipping/zones/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Rename a shipping zone or change its countries (staff: shipping.write)',
          params: shipping.ShippingParams,
          body: shipping.UpdateZoneBody,
          response: { 200: shipping.Zone, ...problems, 404: Problem },
        },
      },
      async (request) => zones.update(request.params.id, request.body, actorOf(request)),
    )

    app.delete(
      '/shipping/zones/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Delete a shipping zone without methods (staff: shipping.write)',
          description: '409 `SHIPPING.ZONE_IN_USE` while a method belongs to it.',
          params: shipping.ShippingParams,
          response: {
            204: Type.Null({ description: 'Deleted.' }),
            ...problems,
            404: Problem,
            409: Problem,
          },
        },
      },
      async (request, reply) => {
        await zones.delete(request.params.id, actorOf(request))
        return reply.code(204).send(null)
      },
    )
  }
}
