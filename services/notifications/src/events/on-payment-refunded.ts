import type { payments } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import { queueMessage } from '../app/record-events.js'
import { paymentRefundedMessage } from '../domain/message-templates.js'
import type { ConsumerDeps, DataOf } from './deps.js'

type Refund = DataOf<typeof payments.PaymentRefunded>

/** `payment.refunded`: the shopper is told the refund was issued (the status is not touched). */
export function onPaymentRefunded(deps: Pick<ConsumerDeps, 'writerIn'>) {
  return async (data: Refund, { trx, envelope }: HandlerContext) => {
    await queueMessage(deps.writerIn(trx), {
      eventId: envelope.id,
      userId: data.userId,
      orderId: data.orderId,
      render: (name) => paymentRefundedMessage(data, name),
    })
  }
}
