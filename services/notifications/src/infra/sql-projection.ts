import { sql, type Kysely } from 'kysely'
import type { CommittedChange, Opening, StatusChange, StatusReader } from '../app/ports.js'
import { rankOf, type OrderStatus, type StatusFact } from '../domain/order-status.js'
import type { NotificationTables } from './tables.js'

interface ChangeRow {
  seq: number | string
  order_id: string
  status: string
  cancellation_reason: string | null
  at: Date | string
}

function toChange(row: ChangeRow): StatusChange {
  return {
    seq: Number(row.seq),
    orderId: row.order_id,
    status: row.status as OrderStatus,
    cancellationReason: row.cancellation_reason,
    at: new Date(row.at).toISOString(),
  }
}

export type OpeningRow = Omit<ChangeRow, 'seq'> & { user_id: string | null; seq: string | null }

/** The columns of a stream's opening read (see `openingFrom`). */
export const openingColumns = sql`o.user_id, c.seq, c.order_id, c.status, c.cancellation_reason, c.at`

/**
 * The rows of a stream's opening read (StatusReader.opening), one row at least: the order's
 * owner (null while unknown) with each change from the first after `after`, or from the latest,
 * never past the latest; `from (select 1)` so that other columns can be read beside them.
 */
export function openingFrom(orderId: string, after: number | undefined) {
  return sql`
    from (select 1) as one
    left join order_status o on o.order_id = ${orderId}
    left join status_changes c on c.order_id = o.order_id and c.seq >= least(
      coalesce(${after ?? null}::bigint + 1, ${Number.MAX_SAFE_INTEGER}::bigint),
      (select max(m.seq) from status_changes m where m.order_id = o.order_id))
    order by c.seq`
}

export function toOpening(rows: readonly OpeningRow[]): Opening {
  return {
    owner: rows[0]?.user_id ?? undefined,
    changes: rows.flatMap((row) => (row.seq === null ? [] : [toChange(row as ChangeRow)])),
  }
}

/** Reads of the projection, for the status streams of any replica. */
export function createSqlStatusReader(db: Kysely<NotificationTables>): StatusReader {
  const changes = () =>
    db
      .selectFrom('status_changes')
      .select(['seq', 'order_id', 'status', 'cancellation_reason', 'at'])
  return {
    async opening(orderId, after) {
      const { rows } =
        await sql<OpeningRow>`select ${openingColumns} ${openingFrom(orderId, after)}`.execute(db)
      return toOpening(rows)
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
 * streams rely on when they read "changes after my last one". For the same reason the change's
 * insert, a statement of its own after the upsert took the row, sees every earlier change of the
 * order committed: its `previousSeq` is exact.
 */
export async function applyStatusFact(
  trx: Kysely<NotificationTables>,
  fact: StatusFact,
  eventId: string,
): Promise<CommittedChange | undefined> {
  const at = new Date(fact.at)
  const reason = fact.status === 'cancelled' ? fact.cancellationReason : null
  const changed = await trx
    .insertInto('order_status')
    .values({
      order_id: fact.orderId,
      user_id: fact.userId,
      status: fact.status,
      cancellation_reason: reason,
      rank: rankOf(fact.status, fact.attempt),
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
    .returning('user_id')
    .executeTakeFirst()
  if (!changed) return undefined
  const inserted = await trx
    .insertInto('status_changes')
    .values({
      order_id: fact.orderId,
      status: fact.status,
      cancellation_reason: reason,
      at,
      event_id: eventId,
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning((eb) => [
      'seq',
      eb
        .selectFrom('status_changes as earlier')
        .select((e) => e.fn.max('earlier.seq').as('seq'))
        .where('earlier.order_id', '=', fact.orderId)
        .whereRef('earlier.seq', '<', 'status_changes.seq')
        .as('previous_seq'),
    ])
    .executeTakeFirst()
  // The change of this event was recorded before (a replay the inbox did not stop): no news.
  if (!inserted) return undefined
  return {
    seq: Number(inserted.seq),
    orderId: fact.orderId,
    userId: changed.user_id,
    status: fact.status,
    cancellationReason: reason,
    at: at.toISOString(),
    previousSeq: inserted.previous_seq === null ? null : Number(inserted.previous_seq),
  }
}
