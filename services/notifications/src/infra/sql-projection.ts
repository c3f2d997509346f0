import { sql, type Kysely, type OperationNodeSource } from 'kysely'
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
 * Applies a status fact in the consumer's transaction, in one statement. The rule is domain's
 * `advances` (a higher rank replaces a lower one), evaluated by the upsert itself so that two
 * replicas applying events of one order at once serialize on its row. Only the upsert that moved
 * the row records the change (the insert reads its output), under the event's id: a replay the
 * inbox did not stop records nothing twice. The change's `seq` is drawn by the upsert once it
 * holds the row (a new row's with its values: no change of the order is before it), so an order's
 * changes commit in `seq` order, which the streams rely on when they read "changes after my last
 * one"; and `previousSeq` is read from the row it locked (its latest committed version, the
 * order's last change whoever wrote it), where a subquery would read the statement's snapshot and
 * miss a change another replica committed while this one waited. The change log's latest is read
 * too, for rows written before `seq` was kept (or, during an upgrade, by a replica that does not
 * keep it). Numbers drawn and not used (the values' one of an update) leave gaps in `seq`, as
 * rolled-back inserts always did.
 * `alongside`, a data-modifying statement (the event's message), runs in the same statement
 * whether or not the order moved.
 */
export async function applyStatusFact(
  trx: Kysely<NotificationTables>,
  fact: StatusFact,
  eventId: string,
  alongside?: OperationNodeSource,
): Promise<CommittedChange | undefined> {
  const at = new Date(fact.at)
  const reason = fact.status === 'cancelled' ? fact.cancellationReason : null
  const nextSeq = sql`nextval(pg_get_serial_sequence('status_changes', 'seq'))`
  const { rows } = await sql<{
    seq: number | string
    user_id: string
    previous_seq: number | string | null
  }>`
    with advanced as (
      insert into order_status as o
        (order_id, user_id, status, cancellation_reason, rank, updated_at, seq, previous_seq)
      values (${fact.orderId}, ${fact.userId}, ${fact.status}, ${reason},
        ${rankOf(fact.status, fact.attempt)}, ${at}, ${nextSeq}, null)
      on conflict (order_id) do update set
        status = excluded.status,
        cancellation_reason = excluded.cancellation_reason,
        rank = excluded.rank,
        updated_at = excluded.updated_at,
        seq = ${nextSeq},
        previous_seq = greatest(o.seq,
          (select max(c.seq) from status_changes c where c.order_id = excluded.order_id))
      where o.rank < excluded.rank
      returning o.seq, o.order_id, o.status, o.cancellation_reason, o.updated_at, o.user_id,
        o.previous_seq
    ), change as (
      insert into status_changes (seq, order_id, status, cancellation_reason, at, event_id)
      select seq, order_id, status, cancellation_reason, updated_at, ${eventId} from advanced
      on conflict (event_id) do nothing
      returning seq
    )${alongside ? sql`, alongside as (${alongside})` : sql``}
    select change.seq, advanced.user_id, advanced.previous_seq
    from change, advanced`.execute(trx)
  const row = rows[0]
  // Not ahead of the order's status, or the change of this event was recorded before (a replay
  // the inbox did not stop): no news.
  if (!row) return undefined
  return {
    seq: Number(row.seq),
    orderId: fact.orderId,
    userId: row.user_id,
    status: fact.status,
    cancellationReason: reason,
    at: at.toISOString(),
    previousSeq: row.previous_seq === null ? null : Number(row.previous_seq),
  }
}
