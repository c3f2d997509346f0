import type { Kysely } from 'kysely'
import type { EventEnvelope } from '@emporium/contracts'
import { deferWrite } from '../db/commit-signal.js'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { EventBus } from './bus.js'
import { storedEvent } from './outbox.js'
import type { RelayMetrics } from './outbox-relay-metrics.js'

type Row = { id: string; type: string; payload: string }

export interface OutboxPublisherDeps {
  database: Database
  bus: Pick<EventBus, 'publish' | 'publishSerialized'>
  metrics: RelayMetrics
  /** Rows taken (and locked) per cycle. */
  batchSize: number
  /** A publish not confirmed within this is a failure. */
  publishTimeoutMs: number
  /** Called as a cycle sends its SELECT: commits signalled after it may be outside its snapshot. */
  onSelect(): void
}

export interface OutboxPublisher {
  /**
   * One publishing cycle, never two at once (the loop and flush() share it): returns how many
   * rows it took; throws (after committing what succeeded) if any failed.
   */
  cycle(): Promise<number>
  /** One cheap read, outside any locking transaction: is anything unsent? */
  anyUnsent(): Promise<boolean>
}

/**
 * The relay's publishing cycle. It locks a batch of unsent rows (oldest first, skipping rows
 * another replica holds), publishes them all before waiting for any confirm (pipelined), marks
 * the confirmed ones sent and commits, so several replicas share the work and never publish a
 * row at the same time.
 */
export function createOutboxPublisher(deps: OutboxPublisherDeps): OutboxPublisher {
  const { bus, metrics, batchSize, publishTimeoutMs } = deps
  const db = deps.database.db as unknown as Kysely<PlatformTables>
  const unlocked = deps.database.kind === 'pglite'
  let cycles: Promise<unknown> = Promise.resolve()

  // The loop and flush() share one cycle at a time: a relay never races itself.
  function cycle(): Promise<number> {
    const result = cycles.then(publishBatch)
    cycles = result.catch(() => undefined)
    return result
  }

  async function publishBatch(): Promise<number> {
    if (unlocked) return publishBatchUnlocked()
    // Read committed: on MySQL a repeatable-read locking scan also gap-locks the index, which
    // would block every use case's outbox insert until the broker confirms.
    const { taken, error } = await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const rows = await unsentRows(trx).forUpdate().skipLocked().execute()
        // Marked with the commit: one round trip for both on PostgreSQL.
        return publishRows(rows, (ids) => deferWrite(trx, markSentQuery(trx, ids).compile()))
      })
    if (error !== undefined) throw error
    return taken
  }

  // PGlite is one process, one relay and one connection: there is no other replica to lock
  // against, and holding the only connection while publishing would block the consumers that
  // the in-process bus waits for (a service consuming its own events would wait for itself).
  async function publishBatchUnlocked(): Promise<number> {
    const rows = await unsentRows(db).execute()
    const { taken, error } = await publishRows(rows, async (ids) => {
      await markSentQuery(db, ids).execute()
    })
    if (error !== undefined) throw error
    return taken
  }

  function unsentRows(executor: Kysely<PlatformTables>) {
    // Commits signalled from here on may come after this SELECT's snapshot: they call again.
    deps.onSelect()
    return executor
      .selectFrom('outbox')
      .select(['id', 'type', 'payload'])
      .where('sent_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
  }

  async function publishRows(
    rows: Row[],
    mark: (ids: string[]) => Promise<void>,
  ): Promise<{ taken: number; error: unknown }> {
    if (rows.length === 0) return { taken: 0, error: undefined }
    const outcomes = await publishAll(rows)
    const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((r) => r.id)
    const failed = outcomes.filter((o) => o.status === 'rejected')
    metrics.published.inc(sent.length)
    if (failed.length > 0) metrics.failures.inc(failed.length)
    // Confirmed rows are marked even when others failed: rolling them back would only
    // publish them a second time.
    if (sent.length > 0) await mark(sent)
    return { taken: rows.length, error: failed[0]?.reason as unknown }
  }

  /**
   * Sends every row before waiting for any confirm (the broker confirms them together), with
   * one deadline for the batch: a row not confirmed by then is a failure, so a stuck broker
   * cannot hold the row locks forever.
   */
  async function publishAll(rows: Row[]) {
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`publish not confirmed within ${publishTimeoutMs} ms`)),
        publishTimeoutMs,
      )
    })
    try {
      return await Promise.allSettled(rows.map((row) => Promise.race([publish(row), timeout])))
    } finally {
      clearTimeout(timer)
    }
  }

  async function publish(row: Row): Promise<void> {
    if (bus.publishSerialized) await bus.publishSerialized(storedEvent(row))
    else await bus.publish(JSON.parse(row.payload) as EventEnvelope)
  }

  function markSentQuery(executor: Kysely<PlatformTables>, ids: string[]) {
    return executor.updateTable('outbox').set({ sent_at: new Date() }).where('id', 'in', ids)
  }

  async function anyUnsent(): Promise<boolean> {
    const row = await db
      .selectFrom('outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .limit(1)
      .executeTakeFirst()
    return row !== undefined
  }

  return { cycle, anyUnsent }
}
