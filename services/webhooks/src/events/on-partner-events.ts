import { catalog, orders, payments, shipping, type EventDefinition } from '@emporium/contracts'
import type { webhooks } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { FanOutIn } from '../app/ports.js'
import { payloadOf } from '../domain/payload.js'

/**
 * The events partners may subscribe to (contracts' `webhookEventTypes`, but `webhook.test`), as
 * the services that own them publish them.
 */
export const partnerEvents = [
  orders.OrderPlaced,
  orders.OrderConfirmed,
  orders.OrderCancelled,
  orders.OrderShipped,
  payments.PaymentRefunded,
  shipping.ShipmentCreated,
  shipping.ShipmentDelivered,
  catalog.ProductCreated,
  catalog.ProductUpdated,
  catalog.ProductDeleted,
] as const satisfies ReadonlyArray<EventDefinition<webhooks.WebhookEventType>>

/**
 * One consumer per event type: in the inbox's transaction, a delivery for each enabled endpoint
 * subscribed to it, with the event's id as its `webhook-id` and its data as the body's `data`.
 * Stored before any attempt, so nothing is lost; a redelivered event stores nothing twice.
 */
export function onPartnerEvents(deps: { fanOutIn: FanOutIn; now: () => Date }) {
  return partnerEvents.map((event) =>
    handler(event as EventDefinition<string, unknown>, {
      adapters: deps.fanOutIn,
      async handle(data, fanOut, { envelope }) {
        const at = new Date(envelope.occurredAt)
        await fanOut.store({
          eventId: envelope.id,
          type: event.type,
          body: payloadOf(event.type, at, data),
          at: deps.now(),
        })
      },
    }),
  )
}
