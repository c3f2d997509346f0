import type { Kysely } from 'kysely'
import type { StatusChange, StatusReader } from '../app/ports.js'
import { statusRank, type OrderStatus, type StatusFact } from '../domain/order-status.js'
import type { NotificationTables } from './tables.js'

function toChange(row: {
  seq: number | string
  order_id: string
  status: string
  cancellation_reason: string | null
  at: Date | string
}): StatusChange {
  return {
    seq: Number(row.seq),
    orderId: row.order_id,
    status: row.status as OrderStatus,
    cancellationReason: row.cancellation_reason,
    at: new Date(row.at).toISOString(),
  }
}

/** Reads of the projection, for the status streams of any replica. */
export function createSqlStatusReader(db: Kysely<NotificationTables>): StatusReader {
  const changes = () =>
    db
      .selectFrom('status_changes')
      .select(['seq', 'order_id', 'status', 'cancellation_reason', 'at'])
  return {
    async ownerOf(orderId) {
      const row = await db
        .selectFrom('order_status')
        .select('user_id')
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      return row?.user_id
    },
    async latestChange(orderId) {
      const row = await changes()
        .where('order_id', '=', orderId)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst()
      return row && toChange(row)
    },
    async changesAfter(orderId, seq) {
      const rows = await changes()
        .where('order_id', '=', orderId)
        .where('seq', '>', seq)
        .orderBy('seq')
        .execute()
      return rows.map(toChange)
    },
    async latestSeqs(orderIds) {
      const latest = new Map<string, number>()
      if (orderIds.length === 0) return latest
      const rows = await db
        .selectFrom('status_changes')
        .select((eb) => ['order_id', eb.fn.max('seq').as('seq')])
        .where('order_id', 'in', orderIds)
        .groupBy('order_id')
        .execute()
      for (const row of rows) latest.set(row.order_id, Number(row.seq))
      return latest
    },
  }
}

/**
 * Applies a status fact in the consumer's transaction. The rule is domain's `advances` (a higher
 * rank replaces a lower one), evaluated by the upsert itself so that two replicas applying events
 * of one order at once serialize on its row: its changes then commit in `seq` order, which the
 * streams rely on when they read "changes after my last one".
 */
export async function applyStatusFact(
  trx: Kysely<NotificationTables>,
  fact: StatusFact,
  eventId: string,
): Promise<boolean> {
  const at = new Date(fact.at)
  const reason = fact.status === 'cancelled' ? fact.cancellationReason : null
  const changed = await trx
    .insertInto('order_status')
    .values({
      order_id: fact.orderId,
      user_id: fact.userId,
      status: fact.status,
      cancellation_reason: reason,
      rank: statusRank[fact.status],
      updated_at: at,
    })
    .onConflict((oc) =>
      oc
        .column('order_id')
        .doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          cancellation_reason: eb.ref('excluded.cancellation_reason'),
          rank: eb.ref('excluded.rank'),
          updated_at: eb.ref('excluded.updated_at'),
        }))
        .whereRef('order_status.rank', '<', 'excluded.rank'),
    )
    .returning('order_id')
    .executeTakeFirst()
  if (!changed) return false
  await trx
    .insertInto('status_changes')
    .values({
      order_id: fact.orderId,
      status: fact.status,
      cancellation_reason: reason,
      at,
      event_id: eventId,
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute()
  return true
}
