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
  /**
   * Records these event ids in the caller's transaction and returns those not seen before (the
   * batch's effects then run for them alone). Ids must be distinct and valid (`checkEventId`).
   */
  claim(trx: Transaction<DB>, ids: readonly string[]): Promise<Set<string>>
}

/** Throws a `PermanentError` for an id the inbox cannot hold. */
export function checkEventId(id: unknown): void {
  // MySQL's INSERT IGNORE would truncate a longer id into a false duplicate.
  if (typeof id !== 'string' || id.length === 0 || id.length > 64) {
    throw new PermanentError(`event id must be 1 to 64 characters: ${String(id)}`)
  }
}

export function createInbox<DB>(deps: InboxDeps<DB>): Inbox<DB> {
  const { database, consumer } = deps
  if (consumer.length === 0 || consumer.length > 100) {
    throw new Error(`inbox consumer name must be 1 to 100 characters: ${consumer}`)
  }
  return {
    async handleOnce(envelope, effect) {
      checkEventId(envelope.id)
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

    async claim(trx, ids) {
      const inbox = trx as unknown as Transaction<PlatformTables>
      // Sorted, so two batches sharing ids lock them in the same order (no deadlock between
      // replicas); an id another transaction holds waits for it, as in handleOnce.
      const sorted = [...ids].sort()
      const fresh = new Set<string>()
      if (sorted.length === 0) return fresh
      const handledAt = new Date()
      if (database.dialect === 'mysql') {
        // MySQL has no RETURNING: one INSERT IGNORE per id tells which ones were new.
        for (const id of sorted) {
          const result = await inbox
            .insertInto('inbox')
            .values({ consumer, event_id: id, handled_at: handledAt })
            .ignore()
            .executeTakeFirst()
          if (Number(result.numInsertedOrUpdatedRows ?? 0) > 0) fresh.add(id)
        }
        return fresh
      }
      const rows = await inbox
        .insertInto('inbox')
        .values(sorted.map((id) => ({ consumer, event_id: id, handled_at: handledAt })))
        .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
        .returning('event_id')
        .execute()
      for (const row of rows) fresh.add(row.event_id)
      return fresh
    },
  }
}
