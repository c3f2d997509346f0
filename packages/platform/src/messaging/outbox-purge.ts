import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'

const purgeChunk = 1_000

export interface OutboxPurgeDeps {
  database: Database
  log: Logger
  /** How long sent outbox rows are kept. */
  retentionMs: number
  /** How long inbox rows are kept. */
  inboxRetentionMs: number
  /** How often to delete expired rows. */
  purgeIntervalMs: number
  /** False once the relay stops: a long purge ends between chunks. */
  running(): boolean
}

/**
 * The relay's housekeeping: sent outbox rows and old inbox rows are deleted in chunks, at most
 * once per interval. Failures are logged, never thrown.
 */
export function createOutboxPurge(deps: OutboxPurgeDeps): { purgeIfDue(): Promise<void> } {
  const { log } = deps
  const db = deps.database.db as unknown as Kysely<PlatformTables>
  const mysql = deps.database.dialect === 'mysql'
  let nextPurgeAt = 0

  async function purgeSent(cutoff: Date): Promise<number> {
    const query = mysql
      ? db.deleteFrom('outbox').where('sent_at', '<', cutoff).limit(purgeChunk)
      : db
          .deleteFrom('outbox')
          .where('id', 'in', (qb) =>
            qb.selectFrom('outbox').select('id').where('sent_at', '<', cutoff).limit(purgeChunk),
          )
    const result = await query.executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  /** Inbox rows past their retention, by the `handled_at` index; a service without consumers has none. */
  async function purgeHandled(cutoff: Date): Promise<number> {
    const query = mysql
      ? db.deleteFrom('inbox').where('handled_at', '<', cutoff).limit(purgeChunk)
      : db
          .deleteFrom('inbox')
          .where(({ eb, refTuple, selectFrom }) =>
            eb(
              refTuple('consumer', 'event_id'),
              'in',
              selectFrom('inbox')
                .select(['consumer', 'event_id'])
                .where('handled_at', '<', cutoff)
                .limit(purgeChunk)
                .$asTuple('consumer', 'event_id'),
            ),
          )
    const result = await query.executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  return {
    async purgeIfDue() {
      if (Date.now() < nextPurgeAt) return
      nextPurgeAt = Date.now() + deps.purgeIntervalMs
      try {
        const cutoff = new Date(Date.now() - deps.retentionMs)
        // In chunks, so one purge never holds many locks or a long transaction.
        while (deps.running() && (await purgeSent(cutoff)) === purgeChunk);
      } catch (error) {
        log.warn({ err: error }, 'outbox relay: deleting old sent events failed')
      }
      try {
        const cutoff = new Date(Date.now() - deps.inboxRetentionMs)
        while (deps.running() && (await purgeHandled(cutoff)) === purgeChunk);
      } catch (error) {
        log.warn({ err: error }, 'outbox relay: deleting old inbox rows failed')
      }
    },
  }
}
