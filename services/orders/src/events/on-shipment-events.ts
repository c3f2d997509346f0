import { shipping } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { createRecordShipment } from '../app/record-shipment.js'
import type { SagaHandlerDeps } from './on-stock-events.js'

type ShipmentHandlerDeps = Pick<SagaHandlerDeps, 'ordersIn'> & {
  shipments: ReturnType<typeof createRecordShipment>
}

/** `shipment.created`: recorded with the order; the one completing it ships the order. */
export const onShipmentCreated = (deps: ShipmentHandlerDeps) =>
  handler(shipping.ShipmentCreated, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.shipments.created(orders, data),
  })

/** `shipment.delivered`: the order's shipment is noted delivered. */
export const onShipmentDelivered = (deps: ShipmentHandlerDeps) =>
  handler(shipping.ShipmentDelivered, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.shipments.delivered(orders, data),
  })
