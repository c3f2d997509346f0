import Type from 'typebox'
import { Problem, shipping } from '@emporium/contracts'
import type { HttpRoutes } from '@emporium/platform'
import type { createManageZones } from '../app/manage-zones.js'
import type { AdminHook } from './routes.js'

const tags = ['shipping']
const problems = { 400: Problem, 401: Problem, 403: Problem }

/** Shipping zones of the back office (issue 18). */
export function zoneRoutes(deps: {
  admin: AdminHook
  zones: ReturnType<typeof createManageZones>
}): HttpRoutes {
  return async (app) => {
    const { admin, zones } = deps
    app.get(
      '/shipping/zones',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'List the shipping zones (admin)',
          response: { 200: shipping.ZoneList, ...problems },
        },
      },
      async () => zones.list(),
    )

    app.post(
      '/shipping/zones',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'Create a shipping zone (admin)',
          description:
            'Each country, or country and region, at most once (400 `SHIPPING.DUPLICATE_COUNTRY`).',
          body: shipping.CreateZoneBody,
          response: { 201: shipping.Zone, ...problems },
        },
      },
      async (request, reply) => reply.code(201).send(await zones.create(request.body)),
    )

    app.get(
      '/shipping/zones/:id',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'A shipping zone (admin)',
          params: shipping.ShippingParams,
          response: { 200: shipping.Zone, ...problems, 404: Problem },
        },
      },
      async (request) => zones.get(request.params.id),
    )

    app.patch(
      '/shipping/zones/:id',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'Rename a shipping zone or change its countries (admin)',
          params: shipping.ShippingParams,
          body: shipping.UpdateZoneBody,
          response: { 200: shipping.Zone, ...problems, 404: Problem },
        },
      },
      async (request) => zones.update(request.params.id, request.body),
    )

    app.delete(
      '/shipping/zones/:id',
      {
        preHandler: admin,
        schema: {
          tags,
          summary: 'Delete a shipping zone without methods (admin)',
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
        await zones.delete(request.params.id)
        return reply.code(204).send(null)
      },
    )
  }
}
