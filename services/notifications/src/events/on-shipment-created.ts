import { shipping } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { queueMessage } from '../app/record-events.js'
import { shipmentCreatedMessage } from '../domain/message-templates.js'
import { nameShippedLines, orderPageLink } from '../domain/order-copy.js'

/**
 * `shipment.created` (the shipping service): the shopper is told the carrier, the tracking number
 * and the items in the parcel, named from the copy kept of the order's `order.confirmed` (by
 * variant id when it is not known), at a guest's address from that copy, else the account's.
 */
export function onShipmentCreated(deps: { portsIn: ConsumerPortsIn; publicUrl: string }) {
  return handler(shipping.ShipmentCreated, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      const order = await writer.order(data.orderId)
      const link = order
        ? orderPageLink(deps.publicUrl, order)
        : orderPageLink(deps.publicUrl, { orderId: data.orderId })
      await queueMessage(writer, {
        eventId: envelope.id,
        userId: data.userId,
        orderId: data.orderId,
        render: (name) =>
          shipmentCreatedMessage(
            {
              orderId: data.orderId,
              carrier: data.carrier,
              trackingNumber: data.trackingNumber,
              lines: nameShippedLines(order?.lines ?? [], data.lines),
              complete: data.complete,
            },
            name,
            link,
          ),
        ...(order?.email && { to: order.email }),
      })
      await writer.countShipmentMail(data.orderId)
    },
  })
}
