import { webhooks } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { queueMessage } from '../app/record-events.js'
import { webhookEndpointDisabledMessage } from '../domain/message-templates.js'

/**
 * `webhook.endpoint-disabled` (the webhooks service, issue 21): the staff member who registered
 * the endpoint is told at their account's address (known from `user.registered`).
 */
export function onWebhookEndpointDisabled(deps: { portsIn: ConsumerPortsIn }) {
  return handler(webhooks.EndpointDisabled, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      await queueMessage(writer, {
        eventId: envelope.id,
        userId: data.createdBy,
        orderId: null,
        render: (name) => webhookEndpointDisabledMessage(data, name),
      })
    },
  })
}
