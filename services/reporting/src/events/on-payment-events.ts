import { payments } from '@emporium/contracts'
import type { ProjectionsIn } from '../app/ports.js'
import { projected } from './projected.js'

type Deps = { projectionsIn: ProjectionsIn }

/** `payment.captured`: money taken, once per payment (the day's orders and revenue). */
export const onPaymentCaptured = (deps: Deps) =>
  projected(payments.PaymentCaptured, deps, (run, projections) =>
    projections.payments(
      run.map(({ data, envelope }) => ({
        envelope,
        fact: {
          key: `capture:${data.paymentId}`,
          kind: 'capture' as const,
          orderId: data.orderId,
          userId: data.userId,
          amount: data.amount.amount,
          currency: data.amount.currency,
          at: new Date(data.at),
        },
      })),
    ),
  )

/**
 * `payment.refunded`: money given back, by its `amount`: a partial refund once per `refundId`,
 * the full refund of a cancelled order (no `refundId`: what was left) once per payment.
 */
export const onPaymentRefunded = (deps: Deps) =>
  projected(payments.PaymentRefunded, deps, (run, projections) =>
    projections.payments(
      run.map(({ data, envelope }) => ({
        envelope,
        fact: {
          key: `refund:${data.refundId ?? data.paymentId}`,
          kind: 'refund' as const,
          orderId: data.orderId,
          userId: data.userId,
          amount: data.amount.amount,
          currency: data.amount.currency,
          at: new Date(data.at),
        },
      })),
    ),
  )
