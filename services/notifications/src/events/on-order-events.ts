import { orders, type EventData, type EventDefinition } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn, NotificationWriter } from '../app/ports.js'
import { recordOrderFact, type KnownRecipient, type Render } from '../app/record-events.js'
import {
  orderCancelledMessage,
  orderConfirmedMessage,
  orderShippedMessage,
} from '../domain/message-templates.js'
import { orderPageLink } from '../domain/order-copy.js'
import type { OrderStatus } from '../domain/order-status.js'

/** What every order event carries that the projection reads. */
type OrderFact = Pick<EventData<typeof orders.OrderPlaced>, 'orderId' | 'userId' | 'at'>

/** What an order event means beyond its status. */
interface Described {
  reason?: string
  render?: Render
  attempt?: number
  /** The address to write to (a guest's, from the event); default: the account's. */
  to?: string
}

/** What `prepare` decided: whether the message goes, and the recipient if it read it already. */
interface Prepared {
  message: boolean
  recipient?: KnownRecipient
}

/**
 * One order event: the status it means, and the shopper's message if it has one. `prepare` runs
 * first, in the same transaction, and may keep what the event brings or drop the message.
 */
function orderEvent<D extends OrderFact>(
  event: EventDefinition<string, D>,
  deps: { portsIn: ConsumerPortsIn },
  status: OrderStatus,
  describe: (data: D) => Described = () => ({}),
  prepare?: (data: D, writer: NotificationWriter) => Promise<Prepared>,
) {
  return handler(event, {
    adapters: deps.portsIn,
    async handle(data, { writer, changedAfterCommit }, { envelope }) {
      const prepared: Prepared = prepare ? await prepare(data, writer) : { message: true }
      const { reason, render, attempt, to } = describe(data)
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
        render: prepared.message ? render : undefined,
        ...(to !== undefined && { to }),
        ...(prepared.recipient !== undefined && { recipient: prepared.recipient }),
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

/**
 * `order.confirmed`: `confirmed`, and the order confirmation with its lines and totals breakdown,
 * to a guest's address (with the guest's signed link) or the account's (with its order page,
 * under `publicUrl`, the storefront). A copy of the order is kept for its shipment e-mails.
 */
export const onOrderConfirmed = (deps: { portsIn: ConsumerPortsIn; publicUrl: string }) =>
  orderEvent(
    orders.OrderConfirmed,
    deps,
    'confirmed',
    (data) => ({
      render: (name) => orderConfirmedMessage(data, name, orderPageLink(deps.publicUrl, data)),
      ...(data.email && { to: data.email }),
    }),
    async (data, writer) => {
      const recipient = await writer.saveOrder(
        {
          orderId: data.orderId,
          userId: data.userId,
          email: data.email || null,
          orderLink: data.orderLink ?? null,
          lines: data.lines.map((line) => ({
            productId: line.productId,
            variantId: line.variantId ?? line.productId,
            name: line.name,
            ...(line.variantLabel && { variantLabel: line.variantLabel }),
          })),
        },
        new Date(data.at),
      )
      return { message: true, recipient: recipient ?? null }
    },
  )

/** `order.cancelled`: `cancelled` with its reason, and the shopper is told why. */
export const onOrderCancelled = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(orders.OrderCancelled, deps, 'cancelled', (data) => ({
    reason: data.reason,
    render: (name) => orderCancelledMessage(data, name),
  }))

/**
 * `order.shipped`: `shipped`, and the shopper hears it is on its way, unless a shipment e-mail
 * (with the carrier and tracking number) was queued for the order already: the order shipped
 * by its last shipment, not by the one-click ship.
 */
export const onOrderShipped = (deps: { portsIn: ConsumerPortsIn }) =>
  orderEvent(
    orders.OrderShipped,
    deps,
    'shipped',
    (data) => ({ render: (name) => orderShippedMessage(data, name) }),
    async (data, writer) => ({
      message: ((await writer.order(data.orderId))?.shipmentsMailed ?? 0) === 0,
    }),
  )
