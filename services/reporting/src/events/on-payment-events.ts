import { payments } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ProjectionsIn } from '../app/ports.js'

type Deps = { projectionsIn: ProjectionsIn }

/** `payment.captured`: money taken, once per payment (the day's orders and revenue). */
export const onPaymentCaptured = (deps: Deps) =>
  handler(payments.PaymentCaptured, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.recordEvent(envelope, data.orderId)
      await projections.payment({
        key: `capture:${data.paymentId}`,
        kind: 'capture',
        orderId: data.orderId,
        userId: data.userId,
        amount: data.amount.amount,
        currency: data.amount.currency,
        at: new Date(data.at),
      })
    },
  })

/**
 * `payment.refunded`: money given back, by its `amount`: a partial refund once per `refundId`,
 * the full refund of a cancelled order (no `refundId`: what was left) once per payment.
 */
export const onPaymentRefunded = (deps: Deps) =>
  handler(payments.PaymentRefunded, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.recordEvent(envelope, data.orderId)
      await projections.payment({
        key: `refund:${data.refundId ?? data.paymentId}`,
        kind: 'refund',
        orderId: data.orderId,
        userId: data.userId,
        amount: data.amount.amount,
        currency: data.amount.currency,
        at: new Date(data.at),
      })
    },
  })
