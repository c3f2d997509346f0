import { orders, payments, shipping, type EventDefinition } from '@emporium/contracts'
import type { EventHandler } from '@emporium/platform'
import type { ProjectionsIn } from '../app/ports.js'
import { projected } from './projected.js'

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
      projected(event, deps, (run, projections) =>
        projections.timeline(
          run.map(({ data, envelope }) => ({ envelope, fact: { orderId: data.orderId } })),
        ),
      ) as EventHandler,
  )
}
