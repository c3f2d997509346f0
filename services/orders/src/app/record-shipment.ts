import { orders as events, type EventData, type shipping } from '@emporium/contracts'
import type { Logger } from '@emporium/platform/app'
import { advance } from '../domain/order.js'
import type { OrderTx } from './ports.js'

/**
 * The shipping service's shipments, in the consumer's inbox transaction (the order's row
 * locked): each is recorded with the order, and the one that completes it (`complete`: every
 * line shipped) moves a confirmed order to `shipped` with `order.shipped`. A repeat is recorded
 * once; an order already shipped (the one-click ship) or cancelled only records it.
 */
export function createRecordShipment(deps: { now: () => Date; log: Logger }) {
  return {
    async created(tx: OrderTx, data: EventData<typeof shipping.ShipmentCreated>): Promise<void> {
      const order = await tx.lock(data.orderId)
      if (!order) {
        deps.log.warn({ orderId: data.orderId }, 'shipment of an unknown order; ignored')
        return
      }
      await tx.recordShipment(order.id, {
        id: data.shipmentId,
        carrier: data.carrier,
        trackingNumber: data.trackingNumber,
        lines: data.lines.map((line) => ({
          productId: line.productId,
          variantId: line.variantId ?? line.productId,
          quantity: line.quantity,
        })),
        status: 'shipped',
        createdAt: new Date(data.at),
      })
      if (!data.complete || order.status !== 'confirmed') return
      const now = deps.now()
      await tx.save(advance(order, 'shipped', now, null))
      await tx.emit(events.OrderShipped, {
        orderId: order.id,
        userId: order.userId,
        at: now.toISOString(),
      })
    },

    async delivered(
      tx: OrderTx,
      data: EventData<typeof shipping.ShipmentDelivered>,
    ): Promise<void> {
      const order = await tx.lock(data.orderId)
      const shipment = order?.shipments?.find((s) => s.id === data.shipmentId)
      if (!order || !shipment) return
      await tx.recordShipment(order.id, { ...shipment, status: 'delivered' })
    },
  }
}
