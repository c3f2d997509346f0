import Type from 'typebox'
import { Problem, shipping } from '@emporium/contracts'
import type { HttpRoutes } from '@emporium/platform'
import type { createManageMethods } from '../app/manage-methods.js'
import { actorOf } from './actor.js'

const tags = ['shipping']
const problems = { 400: Problem, 401: Problem, 403: Problem }
const rules =
  'At least one rate, each `from` once (400 `SHIPPING.RATES_REQUIRED`, `SHIPPING.DUPLICATE_RATE`); ' +
  'a flat method has one rate from 0 (`SHIPPING.FLAT_RATE`); every price and `freeAbove` in one ' +
  'currency (`SHIPPING.MIXED_CURRENCIES`); `estimatedDays.min` ≤ `max` (`SHIPPING.INVALID_ESTIMATE`); ' +
  'an existing zone (422 `SHIPPING.UNKNOWN_ZONE`).'

/** Shipping methods of the back office (issue 18). */
export function methodRoutes(deps: {
  methods: ReturnType<typeof createManageMethods>
}): HttpRoutes {
  return async (app) => {
    const { methods } = deps
    app.get(
      '/shipping/methods',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'List the shipping methods, of one zone or all (staff: shipping.write)',
          querystring: shipping.ListMethodsQuery,
          response: { 200: shipping.MethodList, ...problems },
        },
      },
      async (request) => methods.list(request.query),
    )

    app.post(
      '/shipping/methods',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Create a shipping method of a zone (staff: shipping.write)',
          description: rules,
          body: shipping.CreateMethodBody,
          response: { 201: shipping.Method, ...problems, 422: Problem },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await methods.create(request.body, actorOf(request))),
    )

    app.get(
      '/shipping/methods/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'A shipping method (staff: shipping.write)',
          params: shipping.ShippingParams,
          response: { 200: shipping.Method, ...problems, 404: Problem },
        },
      },
      async (request) => methods.get(request.params.id),
    )

    app.patch(
      '/shipping/methods/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Change a shipping method (staff: shipping.write)',
          description: `The method as changed is checked as a new one: ${rules}`,
          params: shipping.ShippingParams,
          body: shipping.UpdateMethodBody,
          response: { 200: shipping.Method, ...problems, 404: Problem, 422: Problem },
        },
      },
      async (request) => methods.update(request.params.id, request.body, actorOf(request)),
    )

    app.delete(
      '/shipping/methods/:id',
      {
        config: { permission: 'shipping.write' },
        schema: {
          tags,
          summary: 'Delete a shipping method (staff: shipping.write)',
          params: shipping.ShippingParams,
          response: { 204: Type.Null({ description: 'Deleted.' }), ...problems, 404: Problem },
        },
      },
      async (request, reply) => {
        await methods.delete(request.params.id, actorOf(request))
        return reply.code(204).send(null)
      },
    )
  }
}
