import { payments } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { SagaHandlerDeps } from './on-stock-events.js'

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

/** `payment.refunded`: the payment is noted refunded. */
export const onPaymentRefunded = (deps: SagaHandlerDeps) =>
  handler(payments.PaymentRefunded, {
    adapters: deps.ordersIn,
    handle: (data, orders) => deps.steps.paymentRefunded(orders, data),
  })
