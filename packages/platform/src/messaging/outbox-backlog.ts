import type { Kysely } from 'kysely'
import type { PlatformTables } from '../db/platform-migrations.js'

export interface OutboxBacklog {
  /** Unsent events. */
  count: number
  /** Age of the oldest unsent event, 0 when there is none. */
  oldestAgeSeconds: number
}

/** How many events are unsent and how old the oldest is (the relay's `backlog()` and its gauges). */
export async function outboxBacklog(db: Kysely<PlatformTables>): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('outbox')
    .select((eb) => [eb.fn.countAll().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('sent_at', 'is', null)
    .executeTakeFirstOrThrow()
  const oldest = row.oldest === null ? undefined : new Date(row.oldest)
  const oldestAgeSeconds = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1_000) : 0
  return { count: Number(row.count), oldestAgeSeconds }
}
