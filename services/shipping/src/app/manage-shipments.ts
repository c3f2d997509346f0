import { randomUUID } from 'node:crypto'
import type { shipping } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { allocate } from '../domain/allocation.js'
import { auditOf, type StaffActor as Actor } from '@emporium/contracts'
import type { ShipmentStore, ShipOutcome } from './ports.js'

function shipmentNotFound(): AppError {
  return new AppError('not_found', 'SHIPPING.SHIPMENT_NOT_FOUND', 'There is no such shipment.')
}

function refusal(outcome: Exclude<ShipOutcome, { ok: true }>): AppError {
  switch (outcome.reason) {
    case 'order_not_found':
      return new AppError(
        'not_found',
        'SHIPPING.ORDER_NOT_FOUND',
        'No confirmed order has this id (or its confirmation has not reached shipping yet).',
      )
    case 'order_cancelled':
      return new AppError('conflict', 'SHIPPING.ORDER_CANCELLED', 'The order is cancelled.')
    case 'nothing_to_ship':
      return new AppError(
        'conflict',
        'SHIPPING.NOTHING_TO_SHIP',
        'Every line of the order is shipped already.',
      )
    case 'not_in_order':
      return new AppError(
        'unprocessable',
        'SHIPPING.LINE_NOT_IN_ORDER',
        `The order has no line of variant ${outcome.variantId}.`,
        { details: { variantId: outcome.variantId } },
      )
    case 'exceeds_order':
      return new AppError(
        'conflict',
        'SHIPPING.QUANTITY_EXCEEDS_ORDER',
        `Only ${outcome.remaining} of variant ${outcome.variantId} are left to ship.`,
        { details: { variantId: outcome.variantId, remaining: outcome.remaining } },
      )
  }
}

/** Shipments of confirmed orders: create (partial or whole), read, list, deliver. */
export function createManageShipments(deps: {
  shipments: ShipmentStore
  now: () => Date
  newId?: () => string
}) {
  const newId = deps.newId ?? randomUUID
  return {
    /** Staff's (an `actor`) is audited: `shipment.created`, the shipment after (issue 19). */
    async create(body: shipping.CreateShipmentBody, actor?: Actor): Promise<shipping.Shipment> {
      const at = deps.now()
      const outcome = await deps.shipments.ship(
        {
          id: newId(),
          orderId: body.orderId,
          carrier: body.carrier,
          trackingNumber: body.trackingNumber,
          at,
        },
        (order) => allocate(order.lines, body.lines),
        auditOf<shipping.Shipment>(actor, 'shipment', at),
      )
      if (!outcome.ok) throw refusal(outcome)
      return outcome.shipment
    },

    async get(id: string): Promise<shipping.Shipment> {
      const shipment = await deps.shipments.get(id)
      if (!shipment) throw shipmentNotFound()
      return shipment
    },

    listOfOrder: async (orderId: string): Promise<shipping.ShipmentList> => ({
      items: await deps.shipments.listOfOrder(orderId),
    }),

    /**
     * Staff's (an `actor`) is audited: `shipment.delivered`, the fields it changed (status,
     * deliveredAt) before and after; a repeat records nothing.
     */
    async deliver(id: string, actor?: Actor): Promise<shipping.Shipment> {
      const at = deps.now()
      const shipment = await deps.shipments.deliver(
        id,
        at,
        auditOf<shipping.Shipment>(actor, 'shipment', at, { updated: 'delivered' }),
      )
      if (shipment === 'not_found') throw shipmentNotFound()
      return shipment
    },
  }
}
