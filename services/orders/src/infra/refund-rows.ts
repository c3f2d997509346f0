import type { Kysely, Transaction } from 'kysely'
import type { Database, Logger, Outbox } from '@emporium/platform'
import type { RefundRecord, ReturnRecord } from '../domain/refund.js'
import type { DueReturns, RefundRows } from '../app/refund-ports.js'
import { createSqlOrderTx } from './sql-order-store.js'

/** migrations/012: refunds and returns of orders (issue 19). */
export interface OrderRefundsTable {
  id: string
  order_id: string
  amount: number | string
  currency: string
  status: string
  /** JSON `[{productId, variantId, quantity, amount}]` for a refund by lines. */
  lines: string | null
  reason: string | null
  return_id: string | null
  failure_reason: string | null
  /** migrations/013: the failed refund this one retries. */
  retry_of: string | null
  created_by: string
  created_at: Date
  refunded_at: Date | null
}

export interface OrderReturnsTable {
  id: string
  order_id: string
  status: string
  /** JSON `[{productId, variantId, quantity, receivedQuantity?, restock?}]`. */
  lines: string
  reason: string
  rejection_reason: string | null
  refund_id: string | null
  created_by: string
  deadline_at: Date
  created_at: Date
  updated_at: Date
}

export interface RefundTables {
  order_refunds: OrderRefundsTable
  order_returns: OrderReturnsTable
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any transaction of the service
type Executor = Kysely<any> | Transaction<any>

export function toRefund(row: OrderRefundsTable): RefundRecord {
  const currency = row.currency.trim()
  return {
    id: row.id,
    orderId: row.order_id,
    amount: { amount: Number(row.amount), currency },
    status: row.status as RefundRecord['status'],
    lines: row.lines === null ? null : JSON.parse(row.lines),
    reason: row.reason,
    returnId: row.return_id,
    failureReason: row.failure_reason,
    retryOf: row.retry_of,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
    refundedAt: row.refunded_at === null ? null : new Date(row.refunded_at),
  }
}

function toReturn(row: OrderReturnsTable): ReturnRecord {
  return {
    id: row.id,
    orderId: row.order_id,
    status: row.status as ReturnRecord['status'],
    lines: JSON.parse(row.lines),
    reason: row.reason,
    rejectionReason: row.rejection_reason,
    refundId: row.refund_id,
    createdBy: row.created_by,
    deadlineAt: new Date(row.deadline_at),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

/** The refunds of several orders at once (the order view reads them with the orders). */
export async function refundsOf(
  executor: Executor,
  orderIds: readonly string[],
): Promise<Map<string, RefundRecord[]>> {
  const byOrder = new Map<string, RefundRecord[]>()
  if (orderIds.length === 0) return byOrder
  const db = executor as Kysely<RefundTables>
  const rows = await db
    .selectFrom('order_refunds')
    .selectAll()
    .where('order_id', 'in', orderIds)
    .orderBy('created_at')
    .orderBy('id')
    .execute()
  for (const row of rows) {
    const list = byOrder.get(row.order_id) ?? []
    list.push(toRefund(row))
    byOrder.set(row.order_id, list)
  }
  return byOrder
}

/** Refunds and returns within a transaction (OrderTx.refunds). */
export function refundRowsIn(executor: Executor): RefundRows {
  const db = executor as Kysely<RefundTables>
  return {
    async refunds(orderId) {
      return (await refundsOf(db, [orderId])).get(orderId) ?? []
    },

    async lockRefund(refundId) {
      const row = await db
        .selectFrom('order_refunds')
        .selectAll()
        .where('id', '=', refundId)
        .forUpdate()
        .executeTakeFirst()
      return row && toRefund(row)
    },

    async insertRefund(refund) {
      await db
        .insertInto('order_refunds')
        .values({
          id: refund.id,
          order_id: refund.orderId,
          amount: refund.amount.amount,
          currency: refund.amount.currency,
          status: refund.status,
          lines: refund.lines === null ? null : JSON.stringify(refund.lines),
          reason: refund.reason,
          return_id: refund.returnId,
          failure_reason: refund.failureReason,
          retry_of: refund.retryOf ?? null,
          created_by: refund.createdBy,
          created_at: refund.createdAt,
          refunded_at: refund.refundedAt,
        })
        .execute()
    },

    async settleRefund(refundId, status, at, failureReason) {
      const result = await db
        .updateTable('order_refunds')
        .set({
          status,
          ...(status === 'refunded' ? { refunded_at: at } : {}),
          ...(failureReason !== undefined ? { failure_reason: failureReason } : {}),
        })
        .where('id', '=', refundId)
        .where('status', '=', 'requested')
        .executeTakeFirst()
      return Number(result.numUpdatedRows) === 1
    },

    async returns(orderId) {
      const rows = await db
        .selectFrom('order_returns')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return rows.map(toReturn)
    },

    async insertReturn(ret) {
      await db
        .insertInto('order_returns')
        .values({
          id: ret.id,
          order_id: ret.orderId,
          status: ret.status,
          lines: JSON.stringify(ret.lines),
          reason: ret.reason,
          rejection_reason: ret.rejectionReason,
          refund_id: ret.refundId,
          created_by: ret.createdBy,
          deadline_at: ret.deadlineAt,
          created_at: ret.createdAt,
          updated_at: ret.updatedAt,
        })
        .execute()
    },

    async saveReturn(ret) {
      await db
        .updateTable('order_returns')
        .set({
          status: ret.status,
          lines: JSON.stringify(ret.lines),
          rejection_reason: ret.rejectionReason,
          refund_id: ret.refundId,
          updated_at: ret.updatedAt,
        })
        .where('id', '=', ret.id)
        .execute()
    },
  }
}

/** Returns past their deadline, each handled in a transaction of its own. */
export function createSqlDueReturns(deps: {
  database: Database
  outbox: Outbox
  log: Logger
}): DueReturns {
  const db = deps.database.db as Kysely<RefundTables>
  return {
    async forEachDue(now, decide) {
      const due = await db
        .selectFrom('order_returns')
        .select(['id', 'order_id'])
        .where('status', '=', 'requested')
        .where('deadline_at', '<=', now)
        .orderBy('deadline_at')
        .limit(100)
        .execute()
      let changed = 0
      for (const { id, order_id: orderId } of due) {
        try {
          const done = await db.transaction().execute(async (trx) => {
            const tx = createSqlOrderTx(trx, deps.outbox)
            // The order's row first, as every writer of its returns locks it.
            if (!(await tx.lock(orderId))) return false
            const ret = (await tx.refunds.returns(orderId)).find((r) => r.id === id)
            if (!ret || ret.status !== 'requested' || ret.deadlineAt > now) return false
            return decide(ret, tx)
          })
          if (done) changed++
        } catch (error) {
          deps.log.error({ err: error, returnId: id }, 'deadline of a return could not be applied')
        }
      }
      return changed
    },
  }
}
