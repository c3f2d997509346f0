import type { orders } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import { recordOrderFact, type Render } from '../app/record-events.js'
import {
  orderCancelledMessage,
  orderConfirmedMessage,
  orderShippedMessage,
} from '../domain/message-templates.js'
import type { OrderStatus } from '../domain/order-status.js'
import type { ConsumerDeps, DataOf as Data } from './deps.js'

interface OrderEventData {
  orderId: string
  userId: string
  at: string
}

/** One order event: the status it means, and the shopper's message if it has one. */
function handler<D extends OrderEventData>(
  deps: ConsumerDeps,
  status: OrderStatus,
  describe: (data: D) => { reason?: string; render?: Render } = () => ({}),
) {
  return async (data: D, { trx, envelope }: HandlerContext) => {
    const { reason, render } = describe(data)
    const changed = await recordOrderFact(deps.writerIn(trx), {
      eventId: envelope.id,
      fact: {
        orderId: data.orderId,
        userId: data.userId,
        status,
        cancellationReason: reason ?? null,
        at: data.at,
      },
      render,
    })
    if (changed) deps.changedAfterCommit(trx, changed)
  }
}

/** `order.placed`: the order appears, `pending`. */
export const onOrderPlaced = (deps: ConsumerDeps) =>
  handler<Data<typeof orders.OrderPlaced>>(deps, 'pending')

/** `order.payment-requested`: `awaiting_payment`. */
export const onOrderPaymentRequested = (deps: ConsumerDeps) =>
  handler<Data<typeof orders.OrderPaymentRequested>>(deps, 'awaiting_payment')

/** `order.confirmed`: `confirmed`, and the order confirmation with its lines and total. */
export const onOrderConfirmed = (deps: ConsumerDeps) =>
  handler<Data<typeof orders.OrderConfirmed>>(deps, 'confirmed', (data) => ({
    render: (name) => orderConfirmedMessage(data, name),
  }))

/** `order.cancelled`: `cancelled` with its reason, and the shopper is told why. */
export const onOrderCancelled = (deps: ConsumerDeps) =>
  handler<Data<typeof orders.OrderCancelled>>(deps, 'cancelled', (data) => ({
    reason: data.reason,
    render: (name) => orderCancelledMessage(data, name),
  }))

/** `order.shipped`: `shipped`, and the shopper hears it is on its way. */
export const onOrderShipped = (deps: ConsumerDeps) =>
  handler<Data<typeof orders.OrderShipped>>(deps, 'shipped', (data) => ({
    render: (name) => orderShippedMessage(data, name),
  }))
