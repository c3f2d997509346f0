import { orders, payments, shipping, type EventDefinition } from '@emporium/contracts'
import { handler, type EventHandler } from '@emporium/platform'
import type { Projections, ProjectionsIn } from '../app/ports.js'

/**
 * The events that only go on their order's timeline (no figure counts them): the saga's other
 * steps, declines, shipments, refund requests and returns.
 */
const timelineOnly = [
  orders.OrderPaymentRequested,
  orders.OrderPaymentFailed,
  orders.OrderShipped,
  orders.OrderRefundRequested,
  orders.ReturnRequested,
  orders.ReturnReceived,
  orders.ReturnRefunded,
  orders.ReturnRejected,
  orders.ReturnExpired,
  payments.PaymentDeclined,
  payments.PaymentRefundFailed,
  shipping.ShipmentCreated,
  shipping.ShipmentDelivered,
] as ReadonlyArray<EventDefinition<string, { orderId: string }>>

/** One handler per event above: the event, as received, on the timeline of its `orderId`. */
export function onTimelineEvents(deps: { projectionsIn: ProjectionsIn }): EventHandler[] {
  return timelineOnly.map(
    (event) =>
      handler<{ orderId: string }, Projections, { orderId: string }>(event, {
        adapters: deps.projectionsIn,
        async handle(data, projections, { envelope }) {
          await projections.recordEvent(envelope, data.orderId)
        },
      }) as EventHandler,
  )
}
