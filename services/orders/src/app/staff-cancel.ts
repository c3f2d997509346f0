import { audit, type orders } from '@emporium/contracts'
import { missingPermission } from '@emporium/platform/app'
import type { OrderRecord } from '../domain/order.js'
import { cancelOrderIn } from './cancellation.js'
import type { Caller } from './manage-order.js'
import type { OrderTx } from './ports.js'

/** What `POST /orders/{id}/cancel` was asked with: its optional body, and the caller's roles. */
export interface CancelRequest extends orders.CancelOrderBody {
  /** The caller's roles, as the audit event records them. */
  roles?: readonly string[]
}

/**
 * Cancels the locked order for `caller` (issue 19). The owner cancelling their own order is
 * `customer_cancelled`, as before. Staff (orders.manage) cancelling a customer's order give the
 * reason they picked (`admin_cancelled` without one) and a note, and the cancel is audited
 * (`audit.recorded`, action `order.cancelled`) in the same transaction. A reason or note from
 * someone without orders.manage is a 403: a shopper's words are not staff's.
 */
export async function cancelAs(
  tx: OrderTx,
  caller: Caller,
  order: OrderRecord,
  request: CancelRequest,
  now: Date,
): Promise<OrderRecord> {
  const staffWords = request.reason !== undefined || request.note !== undefined
  if (staffWords && !caller.canManage) throw missingPermission('orders.manage')
  const own = order.userId === caller.userId && !staffWords
  if (own) return cancelOrderIn(tx, order, 'customer_cancelled', now)
  const reason = request.reason ?? 'admin_cancelled'
  const note = request.note ?? null
  const cancelled = await cancelOrderIn(tx, { ...order, cancellationNote: note }, reason, now)
  await tx.emit(
    audit.AuditRecorded,
    audit.auditRecorded(
      { userId: caller.userId, roles: request.roles ?? [] },
      'order.cancelled',
      { type: 'order', id: order.id },
      { status: order.status },
      { status: 'cancelled', reason, ...(note !== null && { note }) },
      now,
    ),
  )
  return cancelled
}
