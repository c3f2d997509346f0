import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { EventBus } from './bus.js'
import { outboxBacklog, type OutboxBacklog } from './outbox-backlog.js'
import { flushOutbox } from './outbox-flush.js'
import { createOutboxPublisher } from './outbox-publisher.js'
import { createOutboxPurge } from './outbox-purge.js'
import { createOutboxRelayLoop } from './outbox-relay-loop.js'
import { registerRelayMetrics } from './outbox-relay-metrics.js'

export type { OutboxBacklog } from './outbox-backlog.js'

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
  /**
   * How often to look for new rows when nobody calls `wake()` (every commit of this process
   * does; the looks find what other processes wrote, or what a crash left). Default 500 ms,
   * doubling while the looks find nothing up to `maxPollIntervalMs` (default 4 s).
   */
  pollIntervalMs?: number
  maxPollIntervalMs?: number
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
 *
 * Wiring only: the cycle is `outbox-publisher.ts`, when it runs `outbox-relay-loop.ts`, the
 * housekeeping `outbox-purge.ts`, `flush()` `outbox-flush.ts`.
 */
export function createOutboxRelay(deps: OutboxRelayDeps): OutboxRelay {
  const { log } = deps
  const batchSize = deps.batchSize ?? 500
  const db = deps.database.db as unknown as Kysely<PlatformTables>
  const backlog = () => outboxBacklog(db)
  const publisher = createOutboxPublisher({
    database: deps.database,
    bus: deps.bus,
    metrics: registerRelayMetrics(deps.registry, backlog, log),
    batchSize,
    publishTimeoutMs: deps.publishTimeoutMs ?? 30_000,
    onSelect: () => loop.selected(),
  })
  const purge = createOutboxPurge({
    database: deps.database,
    log,
    retentionMs: deps.retentionMs ?? 24 * 60 * 60 * 1_000,
    inboxRetentionMs: deps.inboxRetentionMs ?? 7 * 24 * 60 * 60 * 1_000,
    purgeIntervalMs: deps.purgeIntervalMs ?? 60_000,
    running: () => loop.running(),
  })
  const loop = createOutboxRelayLoop({
    log,
    cycle: publisher.cycle,
    // PGlite's cycle takes no locks and opens no transaction: looking first would only add a read.
    anyUnsent: deps.database.kind === 'pglite' ? undefined : publisher.anyUnsent,
    afterCycle: () => purge.purgeIfDue(),
    batchSize,
    pollIntervalMs: deps.pollIntervalMs ?? 500,
    maxPollIntervalMs: deps.maxPollIntervalMs ?? 4_000,
    lingerMs: deps.lingerMs ?? 5,
    maxBackoffMs: deps.maxBackoffMs ?? 30_000,
  })

  return {
    start: loop.start,
    wake: loop.wake,
    flush: (timeoutMs) => flushOutbox({ db, cycle: publisher.cycle, log, timeoutMs }),
    stop: loop.stop,
    backlog,
  }
}
