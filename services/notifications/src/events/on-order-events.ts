import { orders, type EventData, type EventDefinition } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { recordOrderFact, type Render } from '../app/record-events.js'
import {
  orderCancelledMessage,
  orderConfirmedMessage,
  orderShippedMessage,
} from '../domain/message-templates.js'
import type { OrderStatus } from '../domain/order-status.js'

/** What every order event carries that the projection reads. */
type OrderFact = Pick<EventData<typeof orders.OrderPlaced>, 'orderId' | 'userId' | 'at'>

/** One order event: the status it means, and the shopper's message if it has one. */
function orderEvent<D extends OrderFact>(
  event: EventDefinition<string, D>,
  deps: { portsIn: ConsumerPortsIn },
  status: OrderStatus,
  describe: (data: D) => { reason?: string; render?: Render; attempt?: number } = () => ({}),
) {
  return handler(event, {
    adapters: deps.portsIn,
    async handle(data, { writer, changedAfterCommit }, { envelope }) {
      const { reason, render, attempt } = describe(data)
      const changed = await recordOrderFact(writer, {
        eventId: envelope.id,
        fact: {
          orderId: data.orderId,
          userId: data.userId,
          status,
          cancellationReason: reason ?? null,
          at: data.at,
          ...(attempt !== undefined && { attempt }),
        },
        render,
      })
      if (changed) changedAfterCommit(changed)
    },
  })
}

/** `order.placed`: the order appears, `pending`. */
export const onOrderPlaced = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderPlaced, deps, 'pending')

/** `order.payment-requested`: `awaiting_payment` (of its attempt: a retry comes back to it). */
export const onOrderPaymentRequested = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderPaymentRequested, deps, 'awaiting_payment', (data) => ({
    attempt: data.attempt ?? 1,
  }))

/**
 * `order.payment-failed`: `payment_failed` (not an end: the shopper may pay again with another
 * card until the payment deadline, which the stream then shows).
 */
export const onOrderPaymentFailed = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderPaymentFailed, deps, 'payment_failed', (data) => ({
    attempt: data.attempt,
  }))

/** `order.confirmed`: `confirmed`, and the order confirmation with its lines and total. */
export const onOrderConfirmed = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderConfirmed, deps, 'confirmed', (data) => ({
    render: (name) => orderConfirmedMessage(data, name),
  }))

/** `order.cancelled`: `cancelled` with its reason, and the shopper is told why. */
export const onOrderCancelled = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderCancelled, deps, 'cancelled', (data) => ({
    reason: data.reason,
    render: (name) => orderCancelledMessage(data, name),
  }))

/** `order.shipped`: `shipped`, and the shopper hears it is on its way. */
export const onOrderShipped = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderShipped, deps, 'shipped', (data) => ({
    render: (name) => orderShippedMessage(data, name),
  }))
