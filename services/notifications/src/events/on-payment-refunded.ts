import { payments } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { queueMessage } from '../app/record-events.js'
import { paymentRefundedMessage } from '../domain/message-templates.js'

/** `payment.refunded`: the shopper is told the refund was issued (the status is not touched). */
export function onPaymentRefunded(deps: { portsIn: ConsumerPortsIn }) {
  return handler(payments.PaymentRefunded, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      await queueMessage(writer, {
        eventId: envelope.id,
        userId: data.userId,
        orderId: data.orderId,
        render: (name) => paymentRefundedMessage(data, name),
      })
    },
  })
}
