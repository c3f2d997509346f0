import type { Logger } from 'pino'
import { untraced } from '../tracing.js'

export interface OutboxRelayLoopDeps {
  log: Logger
  /** One publishing cycle: how many rows it took; throws if any publish failed. */
  cycle(): Promise<number>
  /**
   * The cheap look before a polled cycle (every cycle is a transaction, none is started for
   * nothing); without it every poll cycles.
   */
  anyUnsent?: () => Promise<boolean>
  /** Runs after every cycle, failed or not (the purge of expired rows); must not throw. */
  afterCycle(): Promise<void>
  /** A cycle that takes this many rows is full: more are probably waiting. */
  batchSize: number
  pollIntervalMs: number
  /**
   * The longest poll interval: each poll in a row that finds nothing doubles the interval up to
   * this; a wake-up or rows found bring it back to `pollIntervalMs`. Idle replicas cost a look
   * every few seconds, not several a second (every look is a transaction of the database's).
   */
  maxPollIntervalMs?: number
  lingerMs: number
  maxBackoffMs: number
}

export interface OutboxRelayLoop {
  start(): void
  /** A commit was signalled: cycle now (after the linger) unless backing off. */
  wake(): void
  /** Ends the loop after the cycle in progress. */
  stop(): Promise<void>
  running(): boolean
  /** A cycle sent its SELECT: wake-ups before this one are covered by it. */
  selected(): void
}

/**
 * When the relay cycles: at start, after each poll interval (looking first; the interval grows
 * while the looks find nothing), at once after a full batch or a wake-up that the running cycle
 * may have missed, after a short linger on a wake-up, and with jittered exponential backoff
 * after failures, forever. Nothing escapes as a rejection.
 */
export function createOutboxRelayLoop(deps: OutboxRelayLoopDeps): OutboxRelayLoop {
  const { log, batchSize, pollIntervalMs, lingerMs, maxBackoffMs } = deps
  const maxPollIntervalMs = Math.max(pollIntervalMs, deps.maxPollIntervalMs ?? pollIntervalMs)
  let running = false
  /** Polls in a row that found nothing to send. */
  let emptyPolls = 0
  let loopDone: Promise<void> = Promise.resolve()
  let failures = 0
  /** A commit signalled since the last cycle sent its SELECT: its rows may be unsent. */
  let woken = false
  let sleeping: { done: () => void; wakeable: boolean } | undefined

  async function loop(): Promise<void> {
    // At start, and after each poll interval, look before locking; a wake-up or a full batch
    // means rows are there.
    let look = true
    while (running) {
      let taken = 0
      try {
        if (!look || !deps.anyUnsent || (await deps.anyUnsent())) taken = await deps.cycle()
        if (failures > 0) log.info({ failures }, 'outbox relay: publishing again')
        failures = 0
        emptyPolls = look && taken === 0 ? emptyPolls + 1 : 0
      } catch (error) {
        failures += 1
        // Once per streak: a broker outage must not flood the log.
        if (failures === 1) log.warn({ err: error }, 'outbox relay: publishing failed; retrying')
        else log.debug({ err: error, failures }, 'outbox relay: publishing failed again')
      }
      const more = taken >= batchSize // a full batch: more are probably waiting
      const delay =
        failures > 0
          ? backoffMs(failures)
          : Math.min(maxPollIntervalMs, pollIntervalMs * 2 ** Math.min(emptyPolls, 20))
      // Also during an outage or a flood: old sent rows expire whatever else happens.
      await deps.afterCycle()
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

  return {
    start() {
      if (running) return
      running = true
      // Polls are untraced; each event's publish joins its own trace (the bus's inTraceOf).
      loopDone = untraced(loop).catch((error: unknown) => {
        running = false
        log.error({ err: error }, 'outbox relay stopped unexpectedly')
      })
    },
    wake() {
      woken = true
      if (sleeping?.wakeable) sleeping.done()
    },
    async stop() {
      running = false
      sleeping?.done()
      await loopDone
    },
    running: () => running,
    selected() {
      woken = false
    },
  }
}
