import { orders as events } from '@emporium/contracts'
import { cancel, type OrderRecord } from '../domain/order.js'
import { eventLines } from './order-view.js'
import type { OrderTx } from './ports.js'

/**
 * Cancels a locked order for `reason` and announces it (`order.cancelled` with the previous
 * status, lines and total: catalog releases or restocks, payments refunds or drops the charge).
 * Throws the state machine's 409 when the order cannot be cancelled.
 */
export async function cancelOrderIn(
  tx: OrderTx,
  order: OrderRecord,
  reason: string,
  now: Date,
): Promise<OrderRecord> {
  const { order: cancelled, previousStatus } = cancel(order, reason, now)
  await tx.save(cancelled)
  // A promotion's use (reserved, or spent at confirmation) is given back.
  if (order.pricing?.promotionCode) await tx.promotions.release(order.id)
  await tx.emit(events.OrderCancelled, {
    orderId: order.id,
    userId: order.userId,
    previousStatus,
    reason,
    lines: eventLines(order.lines),
    total: { ...order.total },
    at: now.toISOString(),
  })
  return cancelled
}
