import { payments } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { SagaHandlerDeps } from './on-stock-events.js'
import type { createRefundAnswers } from '../app/refunds.js'

type RefundAnswers = ReturnType<typeof createRefundAnswers>

/** `payment.captured`: confirmed (or, on a cancelled order, only noted). */
export const onPaymentCaptured = (deps: SagaHandlerDeps) =>
  handler(payments.PaymentCaptured, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.paymentCaptured(orders, data),
  })

/** `payment.declined`: cancelled with the decline's reason. */
export const onPaymentDeclined = (deps: SagaHandlerDeps) =>
  handler(payments.PaymentDeclined, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.paymentDeclined(orders, data),
  })

/**
 * `payment.refunded`: the payment is noted refunded; with a `refundId`, that partial refund is
 * (issue 19: app/refunds.ts).
 */
export const onPaymentRefunded = (deps: SagaHandlerDeps & { refundAnswers: RefundAnswers }) =>
  handler(payments.PaymentRefunded, {
    adapters: deps.ordersIn,
    handle: (data, orders) =>
      data.refundId !== undefined
        ? deps.refundAnswers.refunded(orders, data)
        : deps.steps.paymentRefunded(orders, data),
  })

/** `payment.refund-failed`: that partial refund failed (issue 19). */
export const onPaymentRefundFailed = (deps: SagaHandlerDeps & { refundAnswers: RefundAnswers }) =>
  handler(payments.PaymentRefundFailed, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.refundAnswers.failed(orders, data),
  })
