import type { payments } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import type { EventData } from '../app/ports.js'
import type { SagaHandlerDeps } from './on-stock-events.js'

/** `payment.captured`: confirmed (or, on a cancelled order, only noted). */
export const onPaymentCaptured =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof payments.PaymentCaptured>, { trx }: HandlerContext) =>
    deps.steps.paymentCaptured(deps.ordersIn(trx), data)

/** `payment.declined`: cancelled with the decline's reason. */
export const onPaymentDeclined =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof payments.PaymentDeclined>, { trx }: HandlerContext) =>
    deps.steps.paymentDeclined(deps.ordersIn(trx), data)

/** `payment.refunded`: the payment is noted refunded. */
export const onPaymentRefunded =
  (deps: SagaHandlerDeps) =>
  (data: EventData<typeof payments.PaymentRefunded>, { trx }: HandlerContext) =>
    deps.steps.paymentRefunded(deps.ordersIn(trx), data)
