import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type { StreamSlot, StreamSlots } from '../app/ports.js'
import type { NotificationTables } from './tables.js'

/**
 * Stream slots as rows of `stream_leases`, in the database every replica shares, so a user has
 * at most `max` open streams whichever replicas serve them. Taking a slot locks the user (a
 * transaction-scoped advisory lock) so that two replicas cannot both take the last one. Times
 * are the database's, the one clock all replicas share.
 */
export function createSqlStreamSlots(
  db: Kysely<NotificationTables>,
  options: { max: number; leaseMs: number },
): StreamSlots {
  const { max, leaseMs } = options
  const expiry = sql<Date>`now() + ${leaseMs} * interval '1 millisecond'`
  return {
    async acquire(userId) {
      const id = randomUUID()
      const taken = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(hashtext(${`stream-slots:${userId}`}))`.execute(trx)
        const { open } = await trx
          .selectFrom('stream_leases')
          .select((eb) => eb.fn.countAll<string | number>().as('open'))
          .where('user_id', '=', userId)
          .where('expires_at', '>', sql<Date>`now()`)
          .executeTakeFirstOrThrow()
        if (Number(open) >= max) return false
        // Leases of streams whose replica went away without releasing them.
        await trx
          .deleteFrom('stream_leases')
          .where('user_id', '=', userId)
          .where('expires_at', '<=', sql<Date>`now()`)
          .execute()
        await trx
          .insertInto('stream_leases')
          .values({ id, user_id: userId, expires_at: expiry })
          .execute()
        return true
      })
      return taken ? slot(id) : undefined
    },
  }

  function slot(id: string): StreamSlot {
    let released = false
    return {
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
