import { randomUUID } from 'node:crypto'
import {
  audit,
  orders as events,
  type EventData,
  type orders,
  type payments,
} from '@emporium/contracts'
import { AppError, type Logger } from '@emporium/platform/app'
import { fingerprint } from '../domain/idempotency.js'
import type { OrderRecord } from '../domain/order.js'
import {
  checkRefund,
  lineShares,
  type LineRequest,
  type RefundedLine,
  type RefundRecord,
} from '../domain/refund.js'
import { createIdempotentRunner, LostClaim, type IdempotentResult } from './idempotent-request.js'
import { orderNotFound } from './manage-order.js'
import { toRefund } from './order-view.js'
import type { IdempotencyStore, OrderStore, OrderTx, StoredResponse } from './ports.js'

/** A staff member acting (the verified token's subject and roles, for the audit trail). */
export interface StaffCaller {
  userId: string
  roles: readonly string[]
}

/** What a refund gives back: an amount, or units of lines (their paid shares). */
export type RefundInput =
  | { amount: orders.CreateRefundBody['amount']; lines?: undefined }
  | {
      amount?: undefined
      lines: LineRequest[]
    }

/**
 * Records a refund of the locked `order` (the sum of its refunds never past what was captured:
 * the order's row lock serializes them) and asks payments for it (`order.refund-requested`), in
 * the caller's transaction. A 409 when the order is neither confirmed nor shipped, or the amount
 * exceeds what is left.
 */
export async function requestRefundIn(
  tx: OrderTx,
  order: OrderRecord,
  input: RefundInput & { reason?: string; returnId?: string; retryOf?: string },
  createdBy: string,
  now: Date,
  id: string = randomUUID(),
): Promise<RefundRecord> {
  const refunds = await tx.refunds.refunds(order.id)
  const { currency } = order.total
  let lines: RefundedLine[] | null = null
  let amount: number
  if (input.lines) {
    lines = lineShares(order, refunds, input.lines)
    amount = lines.reduce((sum, line) => sum + line.amount, 0)
  } else {
    if (input.amount!.currency !== currency) {
      throw new AppError(
        'invalid',
        'ORDERS.REFUND_CURRENCY',
        `The order was paid in ${currency}; a refund is in the same currency.`,
      )
    }
    amount = input.amount!.amount
  }
  checkRefund(order, refunds, amount)
  const refund: RefundRecord = {
    id,
    orderId: order.id,
    amount: { amount, currency },
    status: 'requested',
    lines,
    reason: input.reason ?? null,
    returnId: input.returnId ?? null,
    failureReason: null,
    retryOf: input.retryOf ?? null,
    createdBy,
    createdAt: now,
    refundedAt: null,
  }
  await tx.refunds.insertRefund(refund)
  await tx.emit(events.OrderRefundRequested, {
    refundId: refund.id,
    orderId: order.id,
    userId: order.userId,
    amount: { ...refund.amount },
    ...(lines && {
      lines: lines.map((line) => ({
        productId: line.productId,
        ...(line.variantId !== line.productId && { variantId: line.variantId }),
        quantity: line.quantity,
        amount: { amount: line.amount, currency },
      })),
    }),
    ...(refund.reason !== null && { reason: refund.reason }),
    ...(refund.returnId !== null && { returnId: refund.returnId }),
    at: now.toISOString(),
  })
  return refund
}

export interface CreateRefundRequest {
  caller: StaffCaller
  orderId: string
  idempotencyKey: string
  body: orders.CreateRefundBody
}

/**
 * `POST /orders/{id}/refunds` (refunds.write): records the refund, `order.refund-requested` and
 * the staff action's `audit.recorded` in one transaction; once per (caller, Idempotency-Key).
 */
export function createCreateRefund(deps: {
  orders: OrderStore
  keys: IdempotencyStore
  now: () => Date
  log: Logger
}) {
  const idempotent = createIdempotentRunner(deps)

  function inputOf(body: orders.CreateRefundBody): RefundInput {
    if ((body.amount === undefined) === (body.lines === undefined)) {
      throw new AppError(
        'invalid',
        'ORDERS.INVALID_REFUND',
        'A refund names either an amount or lines, not both.',
      )
    }
    return body.lines ? { lines: body.lines } : { amount: body.amount }
  }

  return (request: CreateRefundRequest): Promise<IdempotentResult> => {
    const input = inputOf(request.body)
    return idempotent(
      {
        userId: request.caller.userId,
        idempotencyKey: request.idempotencyKey,
        fingerprint: fingerprint({ refundOf: request.orderId, body: request.body }),
      },
      (claim) =>
        deps.orders.transaction(async (tx): Promise<StoredResponse> => {
          const order = await tx.lock(request.orderId)
          if (!order) throw orderNotFound(request.orderId)
          const now = deps.now()
          const refund = await requestRefundIn(
            tx,
            order,
            { ...input, ...(request.body.reason !== undefined && { reason: request.body.reason }) },
            request.caller.userId,
            now,
          )
          const view = toRefund(refund)
          await tx.emit(
            audit.AuditRecorded,
            audit.auditRecorded(
              request.caller,
              'refund.created',
              { type: 'order', id: order.id },
              null,
              view,
              now,
            ),
          )
          const stored: StoredResponse = { status: 202, body: JSON.stringify(view) }
          if (!(await tx.completeKey(claim, stored))) throw new LostClaim()
          deps.log.info(
            { orderId: order.id, refundId: refund.id, amount: refund.amount.amount },
            'refund requested',
          )
          return stored
        }),
    )
  }
}

/** `GET /orders/{id}/refunds`: the order's refunds, oldest first. */
export function createListRefunds(deps: { orders: OrderStore }) {
  return async (orderId: string): Promise<{ items: orders.Refund[] }> => {
    const order = await deps.orders.find(orderId)
    if (!order) throw orderNotFound(orderId)
    return { items: (order.refunds ?? []).map(toRefund) }
  }
}

/**
 * payments' answer to a refund, in the consumer's inbox transaction with the order locked: the
 * refund is `refunded` (or `failed`); a return it paid is then `refunded` (`return.refunded`).
 * A repeat, or an answer for an unknown refund, changes nothing.
 */
export function createRefundAnswers(deps: { now: () => Date; log: Logger }) {
  async function settle(
    tx: OrderTx,
    orderId: string,
    refundId: string,
    status: 'refunded' | 'failed',
    failureReason?: string,
  ): Promise<void> {
    const order = await tx.lock(orderId)
    if (!order) return deps.log.warn({ orderId, refundId }, 'refund answer for an unknown order')
    const refund = await tx.refunds.lockRefund(refundId)
    if (!refund || refund.orderId !== orderId) {
      return deps.log.warn({ orderId, refundId }, 'answer for an unknown refund; ignored')
    }
    const now = deps.now()
    if (!(await tx.refunds.settleRefund(refundId, status, now, failureReason))) return
    deps.log.info({ orderId, refundId, status }, 'refund answered')
    if (refund.returnId === null) return
    const ret = (await tx.refunds.returns(orderId)).find((r) => r.id === refund.returnId)
    if (!ret || ret.status !== 'received' || status !== 'refunded') return
    await tx.refunds.saveReturn({ ...ret, status: 'refunded', updatedAt: now })
    await tx.emit(events.ReturnRefunded, {
      returnId: ret.id,
      orderId,
      userId: order.userId,
      refundId,
      amount: { ...refund.amount },
      at: now.toISOString(),
    })
  }

  return {
    /** `payment.refunded` with a `refundId`. */
    refunded: (tx: OrderTx, data: EventData<typeof payments.PaymentRefunded>) =>
      settle(tx, data.orderId, data.refundId!, 'refunded'),
    /** `payment.refund-failed`. */
    failed: (tx: OrderTx, data: EventData<typeof payments.PaymentRefundFailed>) =>
      settle(tx, data.orderId, data.refundId, 'failed', data.reason),
  }
}
