import { Problem, shipping } from '@emporium/contracts'
import type { HttpRoutes } from '@emporium/platform'
import type { createManageShipments } from '../app/manage-shipments.js'
import { actorOf } from './actor.js'

const tags = ['shipping']
const problems = { 400: Problem, 401: Problem, 403: Problem }

/**
 * Fulfilment (issue 18): shipments of confirmed orders, whole or partial; made by staff with
 * `orders.fulfil`, read by staff with `orders.read` (the staff order page; issue 19).
 */
export function shipmentRoutes(deps: {
  shipments: ReturnType<typeof createManageShipments>
}): HttpRoutes {
  return async (app) => {
    const { shipments } = deps
    app.post(
      '/shipping/shipments',
      {
        config: { permission: 'orders.fulfil' },
        schema: {
          tags,
          summary: 'Ship lines of a confirmed order (staff: orders.fulfil)',
          description:
            'At most what is not shipped yet of each line: 409 `SHIPPING.QUANTITY_EXCEEDS_ORDER`, ' +
            '`SHIPPING.NOTHING_TO_SHIP` (all shipped), `SHIPPING.ORDER_CANCELLED`; 404 ' +
            '`SHIPPING.ORDER_NOT_FOUND` for an order not (yet) confirmed; 422 ' +
            '`SHIPPING.LINE_NOT_IN_ORDER`. Publishes `shipment.created`.',
          body: shipping.CreateShipmentBody,
          response: {
            201: shipping.Shipment,
            ...problems,
            404: Problem,
            409: Problem,
            422: Problem,
          },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await shipments.create(request.body, actorOf(request))),
    )

    app.get(
      '/shipping/shipments',
      {
        config: { permission: 'orders.read' },
        schema: {
          tags,
          summary: "An order's shipments, oldest first (staff: orders.read)",
          querystring: shipping.ListShipmentsQuery,
          response: { 200: shipping.ShipmentList, ...problems },
        },
      },
      async (request) => shipments.listOfOrder(request.query.orderId),
    )

    app.get(
      '/shipping/shipments/:id',
      {
        config: { permission: 'orders.read' },
        schema: {
          tags,
          summary: 'A shipment (staff: orders.read)',
          params: shipping.ShippingParams,
          response: { 200: shipping.Shipment, ...problems, 404: Problem },
        },
      },
      async (request) => shipments.get(request.params.id),
    )

    app.post(
      '/shipping/shipments/:id/delivered',
      {
        config: { permission: 'orders.fulfil' },
        schema: {
          tags,
          summary: 'Record that a shipment was delivered (staff: orders.fulfil)',
          description: 'Publishes `shipment.delivered` once; again, it answers the same.',
          params: shipping.ShippingParams,
          response: { 200: shipping.Shipment, ...problems, 404: Problem },
        },
      },
      async (request) => shipments.deliver(request.params.id, actorOf(request)),
    )
  }
}
