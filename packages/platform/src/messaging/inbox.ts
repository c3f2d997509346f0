import type { Transaction } from 'kysely'
import type { EventEnvelope } from '@emporium/contracts'
import type { Database } from '../db/database.js'
import { PermanentError } from '../errors.js'
import type { PlatformTables } from '../db/platform-migrations.js'

export interface InboxDeps<DB> {
  database: Database<DB>
  /** The consuming service (or handler): each consumer sees every event once. */
  consumer: string
}

export interface Inbox<DB> {
  /**
   * Runs `effect` once per event id for this consumer: the inbox row and the effect commit in
   * one transaction, so a redelivery after commit is a `'duplicate'`, and a throwing effect
   * leaves no row and runs again on retry. The effect must use `trx` only (PGlite has one
   * connection: the outer handle would wait for this very transaction).
   */
  handleOnce(
    envelope: Pick<EventEnvelope, 'id'>,
    effect: (trx: Transaction<DB>) => Promise<void>,
  ): Promise<'handled' | 'duplicate'>
}

export function createInbox<DB>(deps: InboxDeps<DB>): Inbox<DB> {
  const { database, consumer } = deps
  if (consumer.length === 0 || consumer.length > 100) {
    throw new Error(`inbox consumer name must be 1 to 100 characters: ${consumer}`)
  }
  return {
    async handleOnce(envelope, effect) {
      // MySQL's INSERT IGNORE would truncate a longer id into a false duplicate.
      if (typeof envelope.id !== 'string' || envelope.id.length === 0 || envelope.id.length > 64) {
        throw new PermanentError(`event id must be 1 to 64 characters: ${String(envelope.id)}`)
      }
      return database.transaction(async (trx) => {
        const inbox = trx as unknown as Transaction<PlatformTables>
        // A concurrent delivery of the same event waits here on the primary key until the
        // first commits (then sees the conflict) or rolls back (then inserts and handles it).
        const insert = inbox
          .insertInto('inbox')
          .values({ consumer, event_id: envelope.id, handled_at: new Date() })
        const result = await (
          database.dialect === 'mysql'
            ? insert.ignore()
            : insert.onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
        ).executeTakeFirst()
        if (Number(result.numInsertedOrUpdatedRows ?? 0) === 0) return 'duplicate' as const
        await effect(trx)
        return 'handled' as const
      })
    },
  }
}
