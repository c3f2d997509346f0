import { randomUUID } from 'node:crypto'
import { audit, orders as events, type orders } from '@emporium/contracts'
import { AppError, type Logger } from '@emporium/platform/app'
import type { OrderRecord } from '../domain/order.js'
import { receivedLines, refundable, returnLines, type ReturnRecord } from '../domain/refund.js'
import { orderNotFound } from './manage-order.js'
import type { OrderStore, OrderTx } from './ports.js'
import type { DueReturns } from './refund-ports.js'
import { requestRefundIn } from './refunds.js'

/** Who asks: the token's subject and roles, and what its permissions allow here. */
export interface ReturnCaller {
  userId: string
  roles: readonly string[]
  /** refunds.write: create, receive, reject anyone's returns. */
  canWrite: boolean
  /** orders.read: see anyone's returns. */
  canRead: boolean
}

export interface ReturnsUseCases {
  requestReturn(
    caller: ReturnCaller,
    orderId: string,
    body: orders.CreateReturnBody,
  ): Promise<orders.Return>
  listReturns(caller: ReturnCaller, orderId: string): Promise<orders.ReturnList>
  receiveReturn(
    caller: ReturnCaller,
    orderId: string,
    returnId: string,
    body: orders.ReceiveReturnBody,
  ): Promise<orders.Return>
  rejectReturn(
    caller: ReturnCaller,
    orderId: string,
    returnId: string,
    body: orders.RejectReturnBody,
  ): Promise<orders.Return>
}

/** A return as the API shows it. */
export function toReturn(ret: ReturnRecord): orders.Return {
  return {
    id: ret.id,
    orderId: ret.orderId,
    status: ret.status,
    lines: ret.lines.map((line) => ({ ...line })),
    reason: ret.reason,
    ...(ret.rejectionReason !== null && { rejectionReason: ret.rejectionReason }),
    ...(ret.refundId !== null && { refundId: ret.refundId }),
    deadlineAt: ret.deadlineAt.toISOString(),
    createdAt: ret.createdAt.toISOString(),
    updatedAt: ret.updatedAt.toISOString(),
  }
}

const eventLine = (line: { productId: string; variantId: string }) => ({
  productId: line.productId,
  ...(line.variantId !== line.productId && { variantId: line.variantId }),
})

function returnNotFound(returnId: string): AppError {
  return new AppError('not_found', 'ORDERS.RETURN_NOT_FOUND', `No return ${returnId}.`)
}

function notRequested(ret: ReturnRecord): AppError {
  return new AppError(
    'conflict',
    'ORDERS.RETURN_NOT_OPEN',
    `Only a requested return can be received or rejected; this one is ${ret.status}.`,
    { details: { status: ret.status } },
  )
}

/**
 * Returns of shipped orders (docs/checkout.md, "Refunds and returns"): requested by the shopper
 * or staff, received by staff (the restocked lines go back on sale: catalog hears
 * `return.received`; the received lines are refunded through the refund path in the same
 * transaction), rejected by staff, or expired by the sweeper past `returnDays`. Every change is
 * made with the order's row locked, its event (and a staff action's audit) in the outbox.
 */
export function createReturns(deps: {
  orders: OrderStore
  now: () => Date
  /** How long a requested return is awaited. */
  returnDays: number
  log: Logger
}): ReturnsUseCases {
  async function lockVisible(tx: OrderTx, caller: ReturnCaller, orderId: string) {
    const order = await tx.lock(orderId)
    if (!order || (order.userId !== caller.userId && !caller.canWrite)) {
      throw orderNotFound(orderId)
    }
    return order
  }

  async function lockReturn(tx: OrderTx, orderId: string, returnId: string) {
    const order = await tx.lock(orderId)
    if (!order) throw orderNotFound(orderId)
    const ret = (await tx.refunds.returns(orderId)).find((r) => r.id === returnId)
    if (!ret) throw returnNotFound(returnId)
    if (ret.status !== 'requested') throw notRequested(ret)
    return { order, ret }
  }

  const auditIn = (
    tx: OrderTx,
    caller: ReturnCaller,
    action: string,
    before: ReturnRecord | null,
    after: ReturnRecord,
    now: Date,
  ) =>
    tx.emit(
      audit.AuditRecorded,
      audit.auditRecorded(
        caller,
        action,
        { type: 'return', id: after.id },
        before && toReturn(before),
        toReturn(after),
        now,
      ),
    )

  return {
    requestReturn: (caller, orderId, body) =>
      deps.orders.transaction(async (tx) => {
        const order = await lockVisible(tx, caller, orderId)
        const returns = await tx.refunds.returns(orderId)
        const lines = returnLines(order, returns, body.lines)
        const now = deps.now()
        const ret: ReturnRecord = {
          id: randomUUID(),
          orderId,
          status: 'requested',
          lines,
          reason: body.reason,
          rejectionReason: null,
          refundId: null,
          createdBy: caller.userId,
          deadlineAt: new Date(now.getTime() + deps.returnDays * 86_400_000),
          createdAt: now,
          updatedAt: now,
        }
        await tx.refunds.insertReturn(ret)
        await tx.emit(events.ReturnRequested, {
          returnId: ret.id,
          orderId,
          userId: order.userId,
          lines: lines.map((line) => ({ ...eventLine(line), quantity: line.quantity })),
          reason: ret.reason,
          deadlineAt: ret.deadlineAt.toISOString(),
          at: now.toISOString(),
        })
        if (order.userId !== caller.userId) {
          await auditIn(tx, caller, 'return.created', null, ret, now)
        }
        return toReturn(ret)
      }),

    async listReturns(caller, orderId) {
      const order = await deps.orders.find(orderId)
      if (!order || (order.userId !== caller.userId && !caller.canRead && !caller.canWrite)) {
        throw orderNotFound(orderId)
      }
      return deps.orders.transaction(async (tx) => ({
        items: (await tx.refunds.returns(orderId)).map(toReturn),
      }))
    },

    receiveReturn: (caller, orderId, returnId, body) =>
      deps.orders.transaction(async (tx) => {
        const { order, ret } = await lockReturn(tx, orderId, returnId)
        const lines = receivedLines(ret, body.lines)
        const now = deps.now()
        const refund = await refundReceived(tx, order, ret, lines, caller.userId, now)
        const received: ReturnRecord = {
          ...ret,
          // Nothing to refund (none came back, or the payment was refunded already): done.
          status: refund ? 'received' : 'refunded',
          lines,
          refundId: refund?.id ?? null,
          updatedAt: now,
        }
        await tx.refunds.saveReturn(received)
        await tx.emit(events.ReturnReceived, {
          returnId,
          orderId,
          userId: order.userId,
          lines: lines.map((line) => ({
            ...eventLine(line),
            quantity: line.receivedQuantity ?? 0,
            restock: line.restock ?? false,
          })),
          ...(refund && { refundId: refund.id, refundAmount: { ...refund.amount } }),
          at: now.toISOString(),
        })
        if (!refund) {
          await tx.emit(events.ReturnRefunded, {
            returnId,
            orderId,
            userId: order.userId,
            amount: { amount: 0, currency: order.total.currency },
            at: now.toISOString(),
          })
        }
        await auditIn(tx, caller, 'return.received', ret, received, now)
        return toReturn(received)
      }),

    rejectReturn: (caller, orderId, returnId, body) =>
      deps.orders.transaction(async (tx) => {
        const { order, ret } = await lockReturn(tx, orderId, returnId)
        const now = deps.now()
        const rejected: ReturnRecord = {
          ...ret,
          status: 'rejected',
          rejectionReason: body.reason ?? null,
          updatedAt: now,
        }
        await tx.refunds.saveReturn(rejected)
        await tx.emit(events.ReturnRejected, {
          returnId,
          orderId,
          userId: order.userId,
          ...(body.reason !== undefined && { reason: body.reason }),
          at: now.toISOString(),
        })
        await auditIn(tx, caller, 'return.rejected', ret, rejected, now)
        return toReturn(rejected)
      }),
  }

  /**
   * The refund of a return's received units (their paid shares), capped at what is left to
   * refund; undefined when nothing is (no unit came back, or all was refunded already).
   */
  async function refundReceived(
    tx: OrderTx,
    order: OrderRecord,
    ret: ReturnRecord,
    lines: ReturnRecord['lines'],
    createdBy: string,
    now: Date,
  ) {
    const units = lines
      .filter((line) => (line.receivedQuantity ?? 0) > 0)
      .map((line) => ({
        productId: line.productId,
        variantId: line.variantId,
        quantity: line.receivedQuantity!,
      }))
    if (units.length === 0) return undefined
    const refunds = await tx.refunds.refunds(order.id)
    if (refundable(order, refunds) === 0) return undefined
    try {
      return await requestRefundIn(
        tx,
        order,
        { lines: units, returnId: ret.id, reason: ret.reason },
        createdBy,
        now,
      )
    } catch (error) {
      // Those units were refunded by lines already, or more than their share by amount: the rest.
      if (!(error instanceof AppError) || error.kind !== 'conflict') throw error
      const left = refundable(order, refunds)
      return requestRefundIn(
        tx,
        order,
        {
          amount: { amount: left, currency: order.total.currency },
          returnId: ret.id,
          reason: ret.reason,
        },
        createdBy,
        now,
      )
    }
  }
}

/** Expires returns still requested past their deadline (`return.expired`); how many. */
export function createSweepReturns(deps: { due: DueReturns; now: () => Date }) {
  return () => {
    const now = deps.now()
    return deps.due.forEachDue(now, async (ret, tx) => {
      const order = await tx.lock(ret.orderId)
      await tx.refunds.saveReturn({ ...ret, status: 'expired', updatedAt: now })
      await tx.emit(events.ReturnExpired, {
        returnId: ret.id,
        orderId: ret.orderId,
        userId: order!.userId,
        at: now.toISOString(),
      })
      return true
    })
  }
}
