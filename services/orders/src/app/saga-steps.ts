import { orders as events, type catalog, type EventData, type payments } from '@emporium/contracts'
import type { Logger } from '@emporium/platform/app'
import {
  advance,
  failPayment,
  failureCode,
  type OrderRecord,
  type PaymentStatus,
} from '../domain/order.js'
import { declineOutcome, mergePaymentStatus } from '../domain/payment.js'
import { cancelOrderIn } from './cancellation.js'
import { eventBreakdown, eventLines } from './order-view.js'
import type { OrderTx } from './ports.js'

export interface SagaStepsDeps {
  now: () => Date
  /** How long payments has to answer once the stock is held (each attempt). */
  paymentDeadlineMs: number
  /**
   * How long after its stock is held an order may be paid, retries after a decline included
   * (its `paymentDueBy`): a `payment_failed` order is cancelled then.
   */
  paymentDueMs: number
  /** Signs a guest's order link, mailed with the confirmation (absent: none is sent). */
  orderLinks?: {
    issue(orderId: string, now: Date, readKey?: () => Promise<string | undefined>): Promise<string>
  }
  log: Logger
}

/**
 * The orchestrator's reactions to catalog's and payments' answers, each run in the consumer's
 * inbox transaction with the order's row locked. Each one looks at the order's status first, so
 * a late, repeated or out-of-order event does nothing wrong: an event for an order in any other
 * status than the one it answers is logged and ignored; one for an unknown order is too (it is
 * not ours to fail on: retrying would not make the order appear).
 */
export function createSagaSteps(deps: SagaStepsDeps) {
  const { log } = deps

  async function load(tx: OrderTx, orderId: string, event: string) {
    const order = await tx.lock(orderId)
    if (!order) log.warn({ orderId, event }, 'event for an unknown order; ignored')
    return order
  }

  function ignore(order: OrderRecord, event: string): void {
    log.info({ orderId: order.id, status: order.status, event }, 'event does not apply; ignored')
  }

  async function recordPayment(
    tx: OrderTx,
    order: OrderRecord,
    status: PaymentStatus,
    last4: string,
  ): Promise<OrderRecord> {
    const merged = mergePaymentStatus(order.payment?.status, status)
    if (order.payment?.status === merged && order.payment.last4 === last4) return order
    const updated = { ...order, payment: { status: merged, last4 }, updatedAt: deps.now() }
    await tx.save(updated)
    return updated
  }

  return {
    /** Stock held: ask payments to charge, and wait for it until the payment deadline. */
    async stockReserved(tx: OrderTx, data: EventData<typeof catalog.StockReserved>): Promise<void> {
      const order = await load(tx, data.orderId, 'stock.reserved')
      if (!order) return
      // Cancelled meanwhile: catalog got the cancellation too and released (or tombstoned).
      if (order.status !== 'pending') return ignore(order, 'stock.reserved')
      const now = deps.now()
      const next = advance(
        { ...order, paymentDueBy: new Date(now.getTime() + deps.paymentDueMs) },
        'awaiting_payment',
        now,
        new Date(now.getTime() + deps.paymentDeadlineMs),
      )
      await tx.save(next)
      await tx.emit(events.OrderPaymentRequested, {
        orderId: order.id,
        userId: order.userId,
        amount: { ...order.total },
        paymentMethodId: order.paymentMethod.id,
        attempt: next.paymentAttempt,
        at: now.toISOString(),
      })
    },

    /** Some line fell short: nothing is held, the order is cancelled. */
    async stockRejected(tx: OrderTx, data: EventData<typeof catalog.StockRejected>): Promise<void> {
      const order = await load(tx, data.orderId, 'stock.rejected')
      if (!order) return
      if (order.status !== 'pending') return ignore(order, 'stock.rejected')
      await cancelOrderIn(tx, order, 'out_of_stock', deps.now())
    },

    /** A hold expired before payment: the order cannot be fulfilled as reserved. */
    async stockReleased(tx: OrderTx, data: EventData<typeof catalog.StockReleased>): Promise<void> {
      if (data.reason !== 'expired') return // our own cancellation coming back
      const order = await load(tx, data.orderId, 'stock.released')
      if (!order) return
      // A pending order here had its stock.reserved delayed: the hold is gone all the same.
      if (!['pending', 'awaiting_payment', 'payment_failed'].includes(order.status)) {
        return ignore(order, 'stock.released')
      }
      await cancelOrderIn(tx, order, 'reservation_expired', deps.now())
    },

    /** Paid: confirmed. On an order cancelled meanwhile only the payment is noted. */
    async paymentCaptured(
      tx: OrderTx,
      data: EventData<typeof payments.PaymentCaptured>,
    ): Promise<void> {
      const found = await load(tx, data.orderId, 'payment.captured')
      if (!found) return
      const order = await recordPayment(tx, found, 'captured', data.last4)
      // Cancelled: payments saw the cancellation and refunds on its own.
      if (order.status !== 'awaiting_payment') return ignore(order, 'payment.captured')
      const now = deps.now()
      await tx.save(advance(order, 'confirmed', now, null))
      // The promotion's use is spent with the confirmation (given back if it is cancelled).
      if (order.pricing?.promotionCode) await tx.promotions.spend(order.id)
      await tx.emit(events.OrderConfirmed, {
        orderId: order.id,
        userId: order.userId,
        lines: eventLines(order.lines),
        total: { ...order.total },
        ...eventBreakdown(order),
        ...(order.email &&
          deps.orderLinks && {
            orderLink: await deps.orderLinks.issue(order.id, now, () => tx.orderLinkKey()),
          }),
        ...(order.cartVersion != null && { cartVersion: order.cartVersion }),
        at: now.toISOString(),
      })
    },

    /**
     * Nothing charged: the order waits `payment_failed`, its stock still held, for another card
     * until its payment deadline (`order.payment-failed`); past that deadline it is cancelled
     * with the decline's reason. A decline of an earlier attempt than the order's is stale.
     */
    async paymentDeclined(
      tx: OrderTx,
      data: EventData<typeof payments.PaymentDeclined>,
    ): Promise<void> {
      const found = await load(tx, data.orderId, 'payment.declined')
      if (!found) return
      const outcome = declineOutcome(data.reason)
      if ((data.attempt ?? 1) !== found.paymentAttempt) return ignore(found, 'payment.declined')
      const order = await recordPayment(tx, found, outcome.paymentStatus, data.last4)
      if (outcome.cancellationReason === undefined || order.status !== 'awaiting_payment') {
        return ignore(order, 'payment.declined')
      }
      const now = deps.now()
      const declineReason = outcome.declineReason ?? data.reason
      if (order.paymentDueBy === null || order.paymentDueBy.getTime() <= now.getTime()) {
        // Past the payment deadline (or an order from before it existed): no retry any more.
        await cancelOrderIn(tx, { ...order, declineReason }, outcome.cancellationReason, now)
        return
      }
      const failed = failPayment(order, declineReason, now)
      await tx.save(failed)
      await tx.emit(events.OrderPaymentFailed, {
        orderId: order.id,
        userId: order.userId,
        attempt: order.paymentAttempt,
        reason: failureCode(declineReason),
        paymentDueBy: order.paymentDueBy.toISOString(),
        at: now.toISOString(),
      })
    },

    /** The capture was refunded (the order was cancelled after payment). */
    async paymentRefunded(
      tx: OrderTx,
      data: EventData<typeof payments.PaymentRefunded>,
    ): Promise<void> {
      const order = await load(tx, data.orderId, 'payment.refunded')
      if (order) await recordPayment(tx, order, 'refunded', data.last4)
    },
  }
}

export type SagaSteps = ReturnType<typeof createSagaSteps>
