import type { webhooks } from '@emporium/contracts'

/** What each subscribable event type tells a partner (`GET /webhooks/event-types`). */
export const eventTypeDescriptions: Record<webhooks.WebhookEventType, string> = {
  'order.placed': 'An order was placed (not paid yet).',
  'order.confirmed': 'An order was paid and its stock reserved.',
  'order.cancelled': 'An order was cancelled.',
  'order.shipped': 'Every line of an order was shipped.',
  'payment.refunded': 'A payment was refunded, in full or in part.',
  'shipment.created': 'A parcel of an order left with a carrier.',
  'shipment.delivered': 'A carrier delivered a parcel.',
  'product.created': 'A product was created.',
  'product.updated': 'A product changed.',
  'product.deleted': 'A product was deleted.',
  'webhook.test': 'A test event sent from the back office.',
}
