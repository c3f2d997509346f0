import type { Kysely } from 'kysely'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { Listening } from '../db/listen.js'
import type { Logger } from '../log.js'
import { untraced } from '../tracing.js'

/**
 * The channel a service's outbox trigger notifies at each commit that wrote outbox rows, with
 * the writer's `application_name` as payload (`outboxCommitsTriggerSql`).
 */
export const outboxCommitsChannel = 'outbox_commits'

/**
 * A statement trigger on `outbox` that notifies `outbox_commits` with the writer's
 * `application_name`: PostgreSQL delivers it at the commit, once per transaction (equal
 * payloads of one transaction are folded). For the migration of a service whose replicas follow
 * their outbox with `createOutboxTail`; harmless (never delivered) where no one listens.
 */
export const outboxCommitsTriggerSql = [
  `create or replace function outbox_commits_notify() returns trigger language plpgsql as $$
  begin
    perform pg_notify('${outboxCommitsChannel}', current_setting('application_name'));
    return null;
  end $$`,
  `create trigger outbox_commits_notify after insert on outbox
    for each statement execute function outbox_commits_notify()`,
]

export interface OutboxTailOptions {
  database: Database
  log: Logger
  /** Told the types of the rows that appeared since the last poll (never an empty list). */
  onEvents(types: string[]): void
  /**
   * How often to look when notifications are not heard (default 200 ms), and the least time
   * between two looks however often they come.
   */
  everyMs?: number
  /**
   * How often to look while notifications are heard (default 1 s): a look at each other
   * writer's commit is what keeps the cache fresh then; this one bounds what a notification
   * lost without the connection being lost (a pooler in transaction mode) can leave stale.
   */
  quietEveryMs?: number
  /**
   * Listen for other writers' commits (`outbox_commits`, `Database.listen`; default: when the
   * database can). The outbox needs the trigger of `outboxCommitsTriggerSql`.
   */
  listen?: boolean
  /**
   * How long a missing `seq` is looked for again (default 10 s): a transaction that took its
   * number before a later one committed shows up late, or never (rolled back).
   */
  gapMs?: number
  /** Most rows read per query (default 5,000); a full read is followed by another at once. */
  batchSize?: number
  now?: () => number
}

export interface OutboxTail {
  /**
   * Starts from the newest row (what came before is known), then polls: every `everyMs`, or,
   * while it hears the writers' commits, at each other writer's commit and every `quietEveryMs`.
   */
  start(): Promise<void>
  /** One look now (tests drive it): resolves once `onEvents` has been told. */
  poll(): Promise<void>
  /** Whether it hears the writers' commits now (its `LISTEN` holds). */
  listening(): boolean
  stop(): Promise<void>
}

/** Most missing numbers remembered: past that, the oldest are given up. */
const maxGaps = 10_000

/**
 * Follows the service's own outbox table, in every replica, to learn of changes other replicas
 * committed (a cache emptied on them): rows whose `seq` is past the last one seen, and the
 * numbers skipped on the way for `gapMs`, since `seq` is taken at insert and the rows become
 * visible at commit, not necessarily in order. Sent rows stay for the relay's retention (24 h),
 * far longer than a poll. A failed poll is logged and tried again at the next.
 */
export function createOutboxTail(options: OutboxTailOptions): OutboxTail {
  const { database, log } = options
  const db = database.db as unknown as Kysely<PlatformTables>
  const now = options.now ?? Date.now
  const gapMs = options.gapMs ?? 10_000
  const batchSize = options.batchSize ?? 5_000
  let last = 0
  /** Missing numbers below `last`, with when to stop looking for them. */
  const gaps = new Map<number, number>()
  let polling: Promise<void> | undefined
  const everyMs = options.everyMs ?? 200
  const quietEveryMs = Math.max(everyMs, options.quietEveryMs ?? 1_000)
  let running = false
  let listening = false
  let listener: Listening | undefined
  /** A commit heard since the last look began: the next look follows at once. */
  let woke = false
  /** Ends the loop's pause early (a wake ends a wait, not the least time between two looks). */
  let cut: (() => void) | undefined
  let resting = false
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        cut = undefined
        resolve()
      }
      const timer = setTimeout(done, ms)
      timer.unref()
      cut = done
    })
  const wake = () => {
    woke = true
    if (!resting) cut?.()
  }
  let loop: Promise<void> | undefined

  function remember(from: number, to: number) {
    const until = now() + gapMs
    for (let seq = Math.max(from, to - maxGaps); seq < to; seq++) gaps.set(seq, until)
    for (const seq of gaps.keys()) {
      if (gaps.size <= maxGaps) break
      gaps.delete(seq)
    }
  }

  async function read(): Promise<boolean> {
    const time = now()
    for (const [seq, until] of gaps) if (until < time) gaps.delete(seq)
    const missing = [...gaps.keys()]
    const rows = await db
      .selectFrom('outbox')
      .select(['seq', 'type'])
      .where((eb) =>
        missing.length > 0
          ? eb.or([eb('seq', '>', last), eb('seq', 'in', missing)])
          : eb('seq', '>', last),
      )
      .orderBy('seq')
      .limit(batchSize + missing.length)
      .execute()
    if (rows.length === 0) return false
    const types: string[] = []
    let newer = 0
    for (const row of rows) {
      const seq = Number(row.seq)
      types.push(row.type)
      if (gaps.delete(seq)) continue
      newer += 1
      if (seq > last + 1) remember(last + 1, seq)
      last = Math.max(last, seq)
    }
    options.onEvents(types)
    return newer >= batchSize
  }

  async function poll() {
    // One at a time: the timer's and a test's would race over `last`.
    while (polling) await polling
    polling = (async () => {
      while (await read());
    })()
    try {
      await polling
    } finally {
      polling = undefined
    }
  }

  return {
    async start() {
      const newest = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .executeTakeFirst()
      last = Number(newest?.seq ?? 0)
      // Transactions in flight now may hold numbers below the newest: look for them a while.
      const recent = await db
        .selectFrom('outbox')
        .select('seq')
        .where('seq', '>', last - 1_000)
        .execute()
      const present = new Set(recent.map((row) => Number(row.seq)))
      const until = now() + gapMs
      for (let seq = Math.max(1, last - 1_000); seq < last; seq++) {
        if (!present.has(seq)) gaps.set(seq, until)
      }
      running = true
      if (options.listen !== false && database.listen) {
        const own = database.applicationName
        listener = database.listen({
          channel: outboxCommitsChannel,
          // Its own replica's commits emptied its cache when they were made.
          onNotification: (writer) => writer !== own && wake(),
          onListening: (heard) => {
            if (heard !== listening) {
              if (heard) log.info("outbox tail: hearing the other writers' commits")
              else log.warn(`outbox tail: commits not heard; reading every ${everyMs} ms`)
            }
            listening = heard
            // Back: what was committed while it was not heard is looked for now.
            if (heard) wake()
          },
        })
      }
      loop = untraced(async () => {
        let lastLook = 0
        while (running) {
          if (!woke) await pause(listening ? quietEveryMs : everyMs)
          // However many commits are heard, at most one look per `everyMs`.
          const rest = lastLook + everyMs - Date.now()
          if (rest > 0 && running) {
            resting = true
            await pause(rest)
            resting = false
          }
          if (!running) break
          lastLook = Date.now()
          woke = false
          await poll().catch((error: unknown) => log.warn({ err: error }, 'outbox tail failed'))
        }
      })
    },
    poll,
    listening: () => listening,
    async stop() {
      running = false
      cut?.()
      await listener?.close()
      listener = undefined
      await loop
      loop = undefined
    },
  }
}
