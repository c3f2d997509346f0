import { audit } from '@emporium/contracts'
import { AppError, type Logger } from '@emporium/platform/app'
import { fingerprint } from '../domain/idempotency.js'
import type { RefundRecord } from '../domain/refund.js'
import { createIdempotentRunner, LostClaim, type IdempotentResult } from './idempotent-request.js'
import { orderNotFound } from './manage-order.js'
import { toRefund } from './order-view.js'
import type { IdempotencyStore, OrderStore, StoredResponse } from './ports.js'
import { requestRefundIn, type RefundInput, type StaffCaller } from './refunds.js'

export interface RetryRefundRequest {
  caller: StaffCaller
  orderId: string
  refundId: string
  idempotencyKey: string
}

function refundNotFound(refundId: string): AppError {
  return new AppError('not_found', 'ORDERS.REFUND_NOT_FOUND', `No refund ${refundId}.`)
}

/** What the failed refund asked for: its lines (their shares computed again), or its amount. */
function inputOf(failed: RefundRecord): RefundInput {
  return failed.lines
    ? {
        lines: failed.lines.map((line) => ({
          productId: line.productId,
          variantId: line.variantId,
          quantity: line.quantity,
        })),
      }
    : { amount: { ...failed.amount } }
}

/**
 * `POST /orders/{id}/refunds/{refundId}/retry` (refunds.write): a refund payments answered
 * `failed` is asked for again as a new refund (`retryOf` the failed one) with its amount or
 * lines, reason and return, through `requestRefundIn` (its `order.refund-requested`, and the
 * checks on what is left to refund: a failed refund counts for nothing), with the staff
 * action's `audit.recorded` (`refund.retried`), in one transaction with the order locked; once
 * per (caller, Idempotency-Key). A return the failed refund paid (still `received`) now names the
 * new refund; it becomes `refunded` when that one lands. 404 `ORDERS.REFUND_NOT_FOUND` for a
 * refund not of this order; 409 `ORDERS.REFUND_NOT_FAILED` unless it failed, and
 * `ORDERS.REFUND_ALREADY_RETRIED` when it was retried already (retry the newest).
 */
export function createRetryRefund(deps: {
  orders: OrderStore
  keys: IdempotencyStore
  now: () => Date
  log: Logger
}) {
  const idempotent = createIdempotentRunner(deps)

  return (request: RetryRefundRequest): Promise<IdempotentResult> =>
    idempotent(
      {
        userId: request.caller.userId,
        idempotencyKey: request.idempotencyKey,
        fingerprint: fingerprint({ retryOf: request.refundId, orderId: request.orderId }),
      },
      (claim) =>
        deps.orders.transaction(async (tx): Promise<StoredResponse> => {
          const order = await tx.lock(request.orderId)
          if (!order) throw orderNotFound(request.orderId)
          const refunds = await tx.refunds.refunds(order.id)
          const failed = refunds.find((r) => r.id === request.refundId)
          if (!failed) throw refundNotFound(request.refundId)
          if (failed.status !== 'failed') {
            throw new AppError(
              'conflict',
              'ORDERS.REFUND_NOT_FAILED',
              `Only a failed refund can be retried; this one is ${failed.status}.`,
              { details: { status: failed.status } },
            )
          }
          const retried = refunds.find((r) => r.retryOf === failed.id)
          if (retried) {
            throw new AppError(
              'conflict',
              'ORDERS.REFUND_ALREADY_RETRIED',
              `This refund was retried already by refund ${retried.id}.`,
              { details: { retriedBy: retried.id, status: retried.status } },
            )
          }
          const now = deps.now()
          const refund = await requestRefundIn(
            tx,
            order,
            {
              ...inputOf(failed),
              ...(failed.reason !== null && { reason: failed.reason }),
              ...(failed.returnId !== null && { returnId: failed.returnId }),
              retryOf: failed.id,
            },
            request.caller.userId,
            now,
          )
          if (failed.returnId !== null) {
            const ret = (await tx.refunds.returns(order.id)).find((r) => r.id === failed.returnId)
            if (ret && ret.status === 'received' && ret.refundId === failed.id) {
              await tx.refunds.saveReturn({ ...ret, refundId: refund.id, updatedAt: now })
            }
          }
          const view = toRefund(refund)
          await tx.emit(
            audit.AuditRecorded,
            audit.auditRecorded(
              request.caller,
              'refund.retried',
              { type: 'order', id: order.id },
              toRefund(failed),
              view,
              now,
            ),
          )
          const stored: StoredResponse = { status: 202, body: JSON.stringify(view) }
          if (!(await tx.completeKey(claim, stored))) throw new LostClaim()
          deps.log.info(
            { orderId: order.id, refundId: refund.id, retryOf: failed.id },
            'failed refund retried',
          )
          return stored
        }),
    )
}
