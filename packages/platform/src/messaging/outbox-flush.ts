import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { PlatformTables } from '../db/platform-migrations.js'

async function unsent(
  db: Kysely<PlatformTables>,
  upToSeq?: number,
): Promise<{ count: number; maxSeq: number | undefined }> {
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

/**
 * Publishes what is unsent at the call through `cycle` (the relay's, so it never races the
 * loop), or gives up after `timeoutMs`, logging what is left; never rejects.
 */
export async function flushOutbox(deps: {
  db: Kysely<PlatformTables>
  cycle: () => Promise<number>
  log: Logger
  timeoutMs: number
}): Promise<void> {
  const { db, cycle, log, timeoutMs } = deps
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  let left = Number.NaN
  let abandoned = false
  const drain = async () => {
    // Only what is unsent now: rows written during shutdown must not keep it waiting.
    const { maxSeq } = await unsent(db)
    if (maxSeq === undefined) return true
    while (!abandoned) {
      try {
        await cycle()
      } catch (error) {
        lastError = error
      }
      left = (await unsent(db, maxSeq)).count
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
