import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { EventEnvelope } from '@emporium/contracts'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { EventBus } from './bus.js'
import { storedEvent } from './outbox.js'
import { flushOutbox } from './outbox-flush.js'
import { createOutboxPurge } from './outbox-purge.js'
import { registerRelayMetrics } from './outbox-relay-metrics.js'

export interface OutboxRelayDeps {
  database: Database
  /**
   * `publishSerialized` is used when the bus has it (the stored JSON goes out as is), else
   * `publish`; either must resolve on the broker's confirm.
   */
  bus: Pick<EventBus, 'publish' | 'publishSerialized'>
  log: Logger
  registry: Registry
  /**
   * Rows taken (and locked) per transaction. Default 500: a cycle costs a confirm round and a
   * commit whatever its size, so a backlog drains at 0.2x bare amqplib's rate in cycles of 100
   * and at about 0.45x in cycles of 500 (`npm run bench:messaging`).
   */
  batchSize?: number
  /** How often to look for new rows when nobody calls `wake()`. Default 500 ms. */
  pollIntervalMs?: number
  /**
   * How long a wake-up waits before its cycle, so that the commits of the next few
   * milliseconds share the cycle's transaction and confirm round (Kafka's `linger.ms`). Default
   * 5 ms: at a few hundred events a second it saves most relay transactions and adds 5 ms a hop.
   */
  lingerMs?: number
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

/**
 * Publishes the outbox. Each cycle locks a batch of unsent rows (oldest first, skipping rows
 * another replica holds), publishes them all before waiting for any confirm (pipelined), marks
 * the confirmed ones sent and commits, so several replicas share the work and never publish a
 * row at the same time. Failures back off with jitter and retry forever; nothing escapes as a
 * rejection. Every cycle is a database transaction, so none is started for nothing: a poll
 * looks first with one cheap read, and a wake-up whose rows the running cycle already took
 * starts no other.
 */
export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  const { bus, log } = deps
  const batchSize = deps.batchSize ?? 500
  const pollIntervalMs = deps.pollIntervalMs ?? 500
  const lingerMs = deps.lingerMs ?? 5
  const maxBackoffMs = deps.maxBackoffMs ?? 30_000
  const publishTimeoutMs = deps.publishTimeoutMs ?? 30_000
  const db = deps.database.db as unknown as Kysely<PlatformTables>
  const unlocked = deps.database.kind === 'pglite'
  const metrics = registerRelayMetrics(deps.registry, backlog, log)

  let running = false
  let loopDone: Promise<void> = Promise.resolve()
  let failures = 0
  /** A commit signalled since the last cycle sent its SELECT: its rows may be unsent. */
  let woken = false
  let sleeping: { done: () => void; wakeable: boolean } | undefined
  let cycles: Promise<unknown> = Promise.resolve()
  const purge = createOutboxPurge({
    database: deps.database,
    log,
    retentionMs: deps.retentionMs ?? 24 * 60 * 60 * 1_000,
    inboxRetentionMs: deps.inboxRetentionMs ?? 7 * 24 * 60 * 60 * 1_000,
    purgeIntervalMs: deps.purgeIntervalMs ?? 60_000,
    running: () => running,
  })

  // The loop and flush() share one cycle at a time: a relay never races itself.
  function cycle(): Promise<number> {
    const result = cycles.then(publishBatch)
    cycles = result.catch(() => undefined)
    return result
  }

  /** Returns how many rows it took; throws (after committing what succeeded) if any failed. */
  async function publishBatch(): Promise<number> {
    if (unlocked) return publishBatchUnlocked()
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
    // Commits signalled from here on may come after this SELECT's snapshot: they call again.
    woken = false
    return executor
      .selectFrom('outbox')
      .select(['id', 'type', 'payload'])
      .where('sent_at', 'is', null)
      .orderBy('seq')
      .limit(batchSize)
  }

  async function publishRows(
    rows: Array<{ id: string; type: string; payload: string }>,
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
  async function publishAll(rows: Array<{ id: string; type: string; payload: string }>) {
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

  async function publish(row: { id: string; type: string; payload: string }): Promise<void> {
    if (bus.publishSerialized) await bus.publishSerialized(storedEvent(row))
    else await bus.publish(JSON.parse(row.payload) as EventEnvelope)
  }

  async function markSent(executor: Kysely<PlatformTables>, ids: string[]): Promise<void> {
    await executor
      .updateTable('outbox')
      .set({ sent_at: new Date() })
      .where('id', 'in', ids)
      .execute()
  }

  /** One cheap read, outside any locking transaction: is anything unsent? */
  async function anyUnsent(): Promise<boolean> {
    const row = await db
      .selectFrom('outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .limit(1)
      .executeTakeFirst()
    return row !== undefined
  }

  async function loop(): Promise<void> {
    // At start, and after each poll interval, look before locking; a wake-up or a full batch
    // means rows are there.
    let look = true
    while (running) {
      let delay = pollIntervalMs
      let more = false
      try {
        if (!look || unlocked || (await anyUnsent())) {
          more = (await cycle()) >= batchSize // a full batch: more are probably waiting
        }
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
      await purge.purgeIfDue()
      look = false
      // stop() during the cycle found no sleep to cut short: do not start one.
      if (!running) break
      if (failures === 0 && (more || woken)) continue
      const slept = await sleep(delay, failures === 0)
      look = slept === 'timeout' && failures === 0
      // Woken by a commit: let the next few commits join this cycle.
      if (slept === 'woken' && lingerMs > 0 && running) await pause(lingerMs)
    }
  }

  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms))
  }

  function backoffMs(attempt: number): number {
    const ceiling = Math.min(maxBackoffMs, pollIntervalMs * 2 ** Math.min(attempt - 1, 20))
    // Equal jitter: replicas spread out, yet never retry immediately.
    return ceiling / 2 + (Math.random() * ceiling) / 2
  }

  // A wake() must not cut a backoff short: after each commit it would hammer a broker that is down.
  function sleep(ms: number, wakeable: boolean): Promise<'timeout' | 'woken'> {
    return new Promise((resolve) => {
      const end = (how: 'timeout' | 'woken') => {
        clearTimeout(timer)
        sleeping = undefined
        resolve(how)
      }
      const timer = setTimeout(() => end('timeout'), ms)
      sleeping = { done: () => end('woken'), wakeable }
    })
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
    flush: (timeoutMs) => flushOutbox({ db, cycle, log, timeoutMs }),
    async stop() {
      running = false
      sleeping?.done()
      await loopDone
    },
    backlog,
  }
}
