import type { Kysely } from 'kysely'
import type { Database } from '../db/database.js'
import type { PlatformTables } from '../db/platform-migrations.js'
import type { Logger } from '../log.js'
import { startPeriodic, type PeriodicJob } from '../periodic.js'

export interface OutboxTailOptions {
  database: Database
  log: Logger
  /** Told the types of the rows that appeared since the last poll (never an empty list). */
  onEvents(types: string[]): void
  /** How often to look (default 200 ms). */
  everyMs?: number
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
  /** Starts from the newest row (what came before is known), then polls. */
  start(): Promise<void>
  /** One look now (tests drive it): resolves once `onEvents` has been told. */
  poll(): Promise<void>
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
  let job: PeriodicJob | undefined
  let polling: Promise<void> | undefined

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
      job = startPeriodic({
        everyMs: options.everyMs ?? 200,
        log,
        what: 'outbox tail',
        run: poll,
      })
    },
    poll,
    async stop() {
      await job?.stop()
      job = undefined
    },
  }
}
