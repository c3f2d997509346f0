import { randomUUID } from 'node:crypto'
import { orders } from '@emporium/contracts'
import { handler, PermanentError, type HandlerContext } from '@emporium/platform'
import type { PaymentWriter } from '../app/ports.js'

/** The consumers' writes within their inbox transaction. */
export type PaymentsIn = (trx: HandlerContext['trx']) => PaymentWriter

/**
 * `order.payment-requested`: records the payment `pending` with the card tokenized at placement
 * (last4 and brand copied); the processor charges it: this replica's, handed the payment already
 * claimed in this transaction when it has a free slot (no claim of its own to wait for), else
 * whichever claims it first after the commit. One payment per order and attempt (issue 18: a
 * retry after a decline is the order's next attempt): a repeat (another event id for the same
 * attempt) is a no-op. A payment method that does not exist or belongs to
 * someone else can never be charged: the event is dead-lettered, and the order's payment
 * deadline cancels it.
 */
export function onPaymentRequested(deps: {
  paymentsIn: PaymentsIn
  now: () => Date
  /** Wakes the processor once `trx` has committed. */
  kick: (trx: object) => void
  /**
   * Claims the payment in `trx` for this replica's processor, which starts on it once `trx`
   * commits; false when it has no free slot (then `kick`).
   */
  handOver?: (trx: HandlerContext['trx'], paymentId: string) => Promise<boolean>
}) {
  return handler(orders.OrderPaymentRequested, {
    adapters: (trx) => ({
      writer: deps.paymentsIn(trx),
      kick: () => deps.kick(trx),
      handOver: async (paymentId: string) => (await deps.handOver?.(trx, paymentId)) ?? false,
    }),
    async handle(data, { writer, kick, handOver }, { envelope }) {
      const now = deps.now()
      const id = randomUUID()
      const outcome = await writer.insertPending({
        id,
        orderId: data.orderId,
        attempt: data.attempt ?? 1,
        userId: data.userId,
        paymentMethodId: data.paymentMethodId,
        amount: data.amount,
        correlationId: envelope.correlationId,
        causationId: envelope.id,
        createdAt: now,
        updatedAt: now,
      })
      if (outcome === 'unknown_method') {
        throw new PermanentError(
          `payment method ${data.paymentMethodId} of order ${data.orderId} is unknown or not the buyer's`,
        )
      }
      if (outcome === 'exists') return
      if (!(await handOver(id))) kick()
    },
  })
}
