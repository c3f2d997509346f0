import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { StreamSlot, StreamSlots } from '../app/ports.js'
import { openingColumns, openingFrom, toOpening, type OpeningRow } from './sql-projection.js'
import type { NotificationTables } from './tables.js'

/**
 * Stream slots as rows of `stream_leases`, in the database every replica shares, so a user has
 * at most `max` open streams whichever replicas serve them. A lease holds one of the user's
 * numbered slots, 0 to `max` − 1, unique per user: that index is what keeps the cap, so taking a
 * slot is one statement (no lock, count or transaction): pick the lowest slot with no live lease
 * and insert it, replacing an expired lease (a dead replica's) but never a live one; the same
 * statement reads the stream's opening. Times are the database's, the one clock all replicas
 * share.
 */
export function createSqlStreamSlots(
  db: Kysely<NotificationTables>,
  options: { max: number; leaseMs: number },
): StreamSlots {
  const { max, leaseMs } = options
  const expiry = sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`

  /** The slot taken; `full` when none was free; `lost` when another stream took it first. */
  async function take(id: string, userId: string, order: { orderId: string; after?: number }) {
    const { rows } = await sql<OpeningRow & { free: number | null; taken: number | null }>`
      with free as (
        select s.slot from generate_series(0, ${max - 1}::int) as s (slot)
        where not exists (
          select 1 from stream_leases l
          where l.user_id = ${userId} and l.slot = s.slot and l.expires_at > now())
        order by s.slot limit 1
      ), taken as (
        insert into stream_leases (id, user_id, slot, expires_at)
        select ${id}, ${userId}, slot, ${expiry} from free
        on conflict (user_id, slot) do update set id = excluded.id, expires_at = excluded.expires_at
        where stream_leases.expires_at <= now()
        returning slot
      )
      select (select slot from free) as free, (select slot from taken) as taken, ${openingColumns}
      ${openingFrom(order.orderId, order.after)}`.execute(db)
    const first = rows[0]
    if (first?.taken !== null && first?.taken !== undefined) {
      return { outcome: 'taken' as const, opening: toOpening(rows) }
    }
    return { outcome: first?.free === null || first?.free === undefined ? 'full' : 'lost' }
  }

  return {
    async acquire(userId, order) {
      const id = randomUUID()
      // Each lost race means another stream took a slot: at most `max` of them can.
      for (let attempt = 0; attempt <= max; attempt++) {
        const taken = await take(id, userId, order)
        if (taken.opening) return { slot: slot(id), opening: taken.opening }
        if (taken.outcome === 'full') return undefined
      }
      return undefined
    },
  }

  function slot(id: string): StreamSlot {
    let released = false
    return {
      // By the lease's id: once expired and taken over by another stream, it renews nothing.
      async renew() {
        if (released) return
        await db
          .updateTable('stream_leases')
          .set({ expires_at: expiry })
          .where('id', '=', id)
          .execute()
      },
      async release() {
        if (released) return
        released = true
        await db.deleteFrom('stream_leases').where('id', '=', id).execute()
      },
    }
  }
}
