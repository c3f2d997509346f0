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
 *
 * A released lease is deleted by the next slot taken on this replica, in the same statement (a
 * stream ending and the next one starting cost one round trip, not two), or after
 * `releaseLingerMs` (default 250 ms: at a few streams a second most deletions ride on the next
 * slot's statement, issue 14) when no stream starts meanwhile. Until then only this
 * replica sees the slot as free.
 */
export function createSqlStreamSlots(
  db: Kysely<NotificationTables>,
  options: { max: number; leaseMs: number; releaseLingerMs?: number },
): StreamSlots {
  const { max, leaseMs } = options
  const releaseLingerMs = options.releaseLingerMs ?? 250
  const expiry = sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`
  const releasing = createReleases(db, releaseLingerMs)

  /** The slot taken; `full` when none was free; `lost` when another stream took it first. */
  async function take(id: string, userId: string, order: { orderId: string; after?: number }) {
    const released = releasing.takeAll()
    // A lease released here is free already: the statement deletes it, and its snapshot must
    // not count it as live (a stream closed and reopened at once finds its slot).
    const releasedIds = released.ids.length > 0 ? released.ids : ['']
    const query = sql<OpeningRow & { free: number | null; taken: number | null }>`
      with released as (
        delete from stream_leases where id in (${sql.join(releasedIds)})
      ), free as (
        select s.slot from generate_series(0, ${max - 1}::int) as s (slot)
        where not exists (
          select 1 from stream_leases l
          where l.user_id = ${userId} and l.slot = s.slot and l.expires_at > now()
            and l.id not in (${sql.join(releasedIds)}))
        order by s.slot limit 1
      ), taken as (
        insert into stream_leases (id, user_id, slot, expires_at)
        select ${id}, ${userId}, slot, ${expiry} from free
        on conflict (user_id, slot) do update set id = excluded.id, expires_at = excluded.expires_at
        where stream_leases.expires_at <= now()
        returning slot
      )
      select (select slot from free) as free, (select slot from taken) as taken, ${openingColumns}
      ${openingFrom(order.orderId, order.after)}`
    let rows
    try {
      rows = (await query.execute(db)).rows
    } catch (error) {
      released.failed()
      throw error
    }
    released.done()
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
        await releasing.release(id)
      },
    }
  }
}

/**
 * Released lease ids waiting to be deleted: by the next `take` (`takeAll`, then `done` or
 * `failed`), or by one statement for all of them after `lingerMs`.
 */
function createReleases(db: Kysely<NotificationTables>, lingerMs: number) {
  let waiting: Array<{ id: string; settle: (error?: unknown) => void }> = []
  let timer: NodeJS.Timeout | undefined

  function schedule(): void {
    if (timer || waiting.length === 0) return
    timer = setTimeout(() => {
      timer = undefined
      const batch = waiting
      waiting = []
      // A take since the release deleted them already.
      if (batch.length === 0) return
      db.deleteFrom('stream_leases')
        .where(
          'id',
          'in',
          batch.map((w) => w.id),
        )
        .execute()
        .then(
          () => batch.forEach((w) => w.settle()),
          (error: unknown) => batch.forEach((w) => w.settle(error)),
        )
    }, lingerMs)
    // A pending release must not hold a stopping process: an undeleted lease expires.
    timer.unref()
  }

  return {
    release(id: string): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ id, settle: (error) => (error === undefined ? resolve() : reject(error)) })
        schedule()
      })
    },
    takeAll() {
      const batch = waiting
      waiting = []
      return {
        ids: batch.map((w) => w.id),
        done: () => batch.forEach((w) => w.settle()),
        // Left for the timer (or the next take) to delete.
        failed: () => {
          waiting.push(...batch)
          schedule()
        },
      }
    },
  }
}
