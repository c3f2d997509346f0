import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { EventEnvelope } from '@emporium/contracts'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { EventBus } from './bus.js'
import { registerRelayMetrics } from './outbox-relay-metrics.js'

export interface OutboxRelayDeps {
  database: Database
  /** Only `publish` is used; it must resolve on the broker's confirm. */
  bus: Pick<EventBus, 'publish'>
  log: Logger
  registry: Registry
  /** Rows taken (and locked) per transaction. Default 100. */
  batchSize?: number
  /** How often to look for new rows when nobody calls `wake()`. Default 500 ms. */
  pollIntervalMs?: number
  /** Ceiling of the backoff after failed publishes. Default 30 s. */
  maxBackoffMs?: number
  /** How long sent rows are kept (for inspection) before they are deleted. Default 24 h. */
  retentionMs?: number
  /**
   * How long the inbox remembers a handled event (against redeliveries, which come within
   * minutes; a replayed dead letter was never handled) before the row is deleted. Default 7 days.
   */
  inboxRetentionMs?: number
  /** How often to delete expired rows. Default 60 s. */
  purgeIntervalMs?: number
  /** A publish not confirmed within this is a failure, so a stuck broker cannot hold row locks forever. Default 30 s. */
  publishTimeoutMs?: number
}

export interface OutboxBacklog {
  /** Unsent events. */
  count: number
  /** Age of the oldest unsent event, 0 when there is none. */
  oldestAgeSeconds: number
}

export interface OutboxRelay {
  start(): void
  /** Look now rather than at the next poll; call after committing an outbox write. */
  wake(): void
  /** Publishes what is unsent at the call, or gives up after `timeoutMs` (never rejects). */
  flush(timeoutMs: number): Promise<void>
  /** Ends the loop after the cycle in progress; does not flush. */
  stop(): Promise<void>
  backlog(): Promise<OutboxBacklog>
}

const purgeChunk = 1_000

/**
 * Publishes the outbox. Each cycle locks a batch of unsent rows (oldest first, skipping rows
 * another replica holds), publishes them, marks the confirmed ones sent and commits, so several
 * replicas share the work and never publish a row at the same time. Failures back off with
 * jitter and retry forever; nothing escapes as a rejection.
 */
export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  const { bus, log } = deps
  const batchSize = deps.batchSize ?? 100
  const pollIntervalMs = deps.pollIntervalMs ?? 500
  const maxBackoffMs = deps.maxBackoffMs ?? 30_000
  const retentionMs = deps.retentionMs ?? 24 * 60 * 60 * 1_000
  const purgeIntervalMs = deps.purgeIntervalMs ?? 60_000
  const inboxRetentionMs = deps.inboxRetentionMs ?? 7 * 24 * 60 * 60 * 1_000
  const publishTimeoutMs = deps.publishTimeoutMs ?? 30_000
  const db = deps.database.db as unknown as Kysely<PlatformTables>
  const metrics = registerRelayMetrics(deps.registry, backlog, log)

  let running = false
  let loopDone: Promise<void> = Promise.resolve()
  let failures = 0
  let woken = false
  let sleeping: { done: () => void; wakeable: boolean } | undefined
  let nextPurgeAt = 0
  let cycles: Promise<unknown> = Promise.resolve()

  // The loop and flush() share one cycle at a time: a relay never races itself.
  function cycle(): Promise<number> {
    const result = cycles.then(publishBatch)
    cycles = result.catch(() => undefined)
    return result
  }

  /** Returns how many rows it took; throws (after committing what succeeded) if any failed. */
  async function publishBatch(): Promise<number> {
    if (deps.database.kind === 'pglite') return publishBatchUnlocked()
    // Read committed: on MySQL a repeatable-read locking scan also gap-locks the index, which
    // would block every use case's outbox insert until the broker confirms.
    const { taken, error } = await db
      .transaction()
      .setIsolationLevel('read committed')
      .execute(async (trx) => {
        const rows = await unsentRows(trx).forUpdate().skipLocked().execute()
        return publishRows(rows, (ids) => markSent(trx, ids))
      })
    if (error !== undefined) throw error
    return taken
  }

  // PGlite is one process, one relay and one connection: there is no other replica to lock
  // against, and holding the only connection while publishing would block the consumers that
  // the in-process bus waits for (a service consuming its own events would wait for itself).
  async function publishBatchUnlocked(): Promise<number> {
    const rows = await unsentRows(db).execute()
    const { taken, error } = await publishRows(rows, (ids) => markSent(db, ids))
    if (error !== undefined) throw error
    return taken
  }

  function unsentRows(executor: Kysely<PlatformTables>) {
    return executor
      .selectFrom('outbox')
      .select(['id', 'payload'])
      .where('sent_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
  }

  async function publishRows(
    rows: Array<{ id: string; payload: string }>,
    mark: (ids: string[]) => Promise<void>,
  ): Promise<{ taken: number; error: unknown }> {
    if (rows.length === 0) return { taken: 0, error: undefined }
    const outcomes = await Promise.allSettled(rows.map((row) => publish(row.payload)))
    const sent = rows.filter((_, i) => outcomes[i]?.status === 'fulfilled').map((r) => r.id)
    const failed = outcomes.filter((o) => o.status === 'rejected')
    metrics.published.inc(sent.length)
    if (failed.length > 0) metrics.failures.inc(failed.length)
    // Confirmed rows are marked even when others failed: rolling them back would only
    // publish them a second time.
    if (sent.length > 0) await mark(sent)
    return { taken: rows.length, error: failed[0]?.reason as unknown }
  }

  async function publish(payload: string): Promise<void> {
    const envelope = JSON.parse(payload) as EventEnvelope
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`publish not confirmed within ${publishTimeoutMs} ms`)),
        publishTimeoutMs,
      )
    })
    try {
      await Promise.race([bus.publish(envelope), timeout])
    } finally {
      clearTimeout(timer)
    }
  }

  async function markSent(executor: Kysely<PlatformTables>, ids: string[]): Promise<void> {
    await executor
      .updateTable('outbox')
      .set({ sent_at: new Date() })
      .where('id', 'in', ids)
      .execute()
  }

  async function loop(): Promise<void> {
    while (running) {
      let delay = pollIntervalMs
      let more = false
      woken = false
      try {
        more = (await cycle()) >= batchSize // a full batch: more are probably waiting
        if (failures > 0) log.info({ failures }, 'outbox relay: publishing again')
        failures = 0
      } catch (error) {
        failures += 1
        // Once per streak: a broker outage must not flood the log.
        if (failures === 1) log.warn({ err: error }, 'outbox relay: publishing failed; retrying')
        else log.debug({ err: error, failures }, 'outbox relay: publishing failed again')
        delay = backoffMs(failures)
      }
      // Also during an outage or a flood: old sent rows expire whatever else happens.
      await purgeIfDue()
      if (failures === 0 && (more || woken)) continue
      await sleep(delay, failures === 0)
    }
  }

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(attempt - 1, 20))
    // Equal jitter: replicas spread out, yet never retry immediately.
    return ceiling / 2 + (Math.random() * ceiling) / 2
  }

  // A wake() must not cut a backoff short: after each commit it would hammer a broker that is down.
  function sleep(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer)
        sleeping = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      sleeping = { done, wakeable }
    })
  }

  async function purgeIfDue(): Promise<void> {
    if (Date.now() < nextPurgeAt) return
    nextPurgeAt = Date.now() + purgeIntervalMs
    try {
      const cutoff = new Date(Date.now() - retentionMs)
      // In chunks, so one purge never holds many locks or a long transaction.
      while (running && (await purgeSent(cutoff)) === purgeChunk);
    } catch (error) {
      log.warn({ err: error }, 'outbox relay: deleting old sent events failed')
    }
    try {
      const cutoff = new Date(Date.now() - inboxRetentionMs)
      while (running && (await purgeHandled(cutoff)) === purgeChunk);
    } catch (error) {
      log.warn({ err: error }, 'outbox relay: deleting old inbox rows failed')
    }
  }

  async function purgeSent(cutoff: Date): Promise<number> {
    const query =
      deps.database.dialect === 'mysql'
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
    const query =
      deps.database.dialect === 'mysql'
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

  async function backlog(): Promise<OutboxBacklog> {
    const row = await db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.min('created_at').as('oldest')])
      .where('sent_at', 'is', null)
      .executeTakeFirstOrThrow()
    const oldest = row.oldest === null ? undefined : new Date(row.oldest)
    const oldestAgeSeconds = oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1_000) : 0
    return { count: Number(row.count), oldestAgeSeconds }
  }

  async function unsent(upToSeq?: number): Promise<{ count: number; maxSeq: number | undefined }> {
    let query = db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll().as('count'), eb.fn.max('seq').as('maxSeq')])
      .where('sent_at', 'is', null)
    if (upToSeq !== undefined) query = query.where('seq', '<=', upToSeq)
    const row = await query.executeTakeFirstOrThrow()
    return {
      count: Number(row.count),
      maxSeq: row.maxSeq === null ? undefined : Number(row.maxSeq),
    }
  }

  async function flush(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let lastError: unknown
    let left = Number.NaN
    let abandoned = false
    const drain = async () => {
      // Only what is unsent now: rows written during shutdown must not keep it waiting.
      const { maxSeq } = await unsent()
      if (maxSeq === undefined) return true
      while (!abandoned) {
        try {
          await cycle()
        } catch (error) {
          lastError = error
        }
        left = (await unsent(maxSeq)).count
        if (left === 0) return true
        // Rows another replica holds, or a failing broker: look again shortly.
        await new Promise((resolve) => setTimeout(resolve, lastError ? 200 : 20))
      }
      return false
    }
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))
    })
    const drained = await Promise.race([drain(), timedOut])
      .catch((error: unknown) => {
        lastError = error
        return false
      })
      .finally(() => clearTimeout(timer))
    abandoned = true
    if (!drained) {
      log.warn(
        { err: lastError, left: Number.isNaN(left) ? undefined : left },
        'outbox relay: flush gave up; unsent events are published after restart',
      )
    }
  }

  return {
    start() {
      if (running) return
      running = true
      loopDone = loop().catch((error: unknown) => {
        running = false
        log.error({ err: error }, 'outbox relay stopped unexpectedly')
      })
    },
    wake() {
      woken = true
      if (sleeping?.wakeable) sleeping.done()
    },
    flush,
    async stop() {
      running = false
      sleeping?.done()
      await loopDone
    },
    backlog,
  }
}
