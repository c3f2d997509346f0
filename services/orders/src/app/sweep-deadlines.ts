import type { Logger } from '@emporium/platform/app'
import { timeoutReason } from '../domain/order.js'
import { cancelOrderIn } from './cancellation.js'
import type { IdempotencyStore, OrderStore } from './ports.js'

/**
 * Cancels orders whose saga step heard nothing by its deadline (`stock_timeout`,
 * `payment_timeout`) and orders `payment_failed` at their payment deadline (`payment_declined`,
 * or `payment_failed` when the provider kept failing), each in its own transaction with `order.cancelled`, and forgets
 * idempotency keys older than their time to live (at most once per `purgeEveryMs`). Returns how
 * many orders it cancelled.
 */
export function createSweepDeadlines(deps: {
  orders: OrderStore
  keys: IdempotencyStore
  now: () => Date
  idempotencyTtlMs: number
  log: Logger
  /**
   * Least time between two deletions of expired keys (default 60 s): housekeeping, not a
   * deadline, so the sweeper's every tick need not cost a statement for it (issue 14).
   */
  purgeEveryMs?: number
}) {
  const purgeEveryMs = deps.purgeEveryMs ?? 60_000
  let purgedAt: number | undefined
  return async (): Promise<number> => {
    const now = deps.now()
    const cancelled = await deps.orders.forEachDue(now, async (order, tx) => {
      const reason = timeoutReason(order.status, order.declineReason)
      if (!reason) return false
      await cancelOrderIn(tx, order, reason, now)
      deps.log.info({ orderId: order.id, reason }, 'order timed out')
      return true
    })
    // (A clock set back counts as time passed.)
    if (purgedAt !== undefined && Math.abs(now.getTime() - purgedAt) < purgeEveryMs) {
      return cancelled
    }
    purgedAt = now.getTime()
    try {
      const purged = await deps.keys.purge(new Date(now.getTime() - deps.idempotencyTtlMs))
      if (purged > 0) deps.log.debug({ purged }, 'expired idempotency keys deleted')
    } catch (error) {
      deps.log.warn({ err: error }, 'deleting expired idempotency keys failed')
    }
    return cancelled
  }
}
