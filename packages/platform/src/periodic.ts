import type { Logger } from './log.js'
import { untraced } from './tracing.js'

/** A background job started by `startPeriodic`. */
export interface PeriodicJob {
  /**
   * Work for the job was committed (e.g. a message queued): the next run comes `everyMs` after
   * the last one ended (at once if that is past, or if none has run yet), however long the idle
   * wait had grown.
   */
  wake(): void
  /** No new run starts; resolves once the run in flight (if any) has ended. */
  stop(): Promise<void>
}

/**
 * Runs `run` every `everyMs` in the background (sweepers, expiry jobs, dispatchers): never two
 * runs at once (a slow one is not stacked on), a failure logged at `warn` with `what` and
 * retried at the next tick, and a timer that does not keep the process alive by itself. Runs are
 * untraced: a poll is not a trace of its own (what it finds to do may carry one).
 *
 * With `maxEveryMs`, an idle job looks less often: each run in a row that returns `0` (found
 * nothing to do) doubles the wait up to `maxEveryMs`; a run that did something, a failure, or
 * `wake()` brings it back to `everyMs`. A job whose work is queued by this process's own commits
 * then costs a look every few seconds at rest (each look is a database transaction), while
 * woken work waits no longer than `everyMs` after the previous run, as without the backoff.
 */
export function startPeriodic(options: {
  everyMs: number
  /** The longest wait while runs find nothing (default `everyMs`: no backoff). */
  maxEveryMs?: number
  run: () => Promise<unknown>
  log: Logger
  /** Names the job in the failure log line, e.g. `deadline sweep`. */
  what: string
}): PeriodicJob {
  const { everyMs } = options
  const maxEveryMs = Math.max(everyMs, options.maxEveryMs ?? everyMs)
  let stopped = false
  let inFlight: Promise<void> | undefined
  /** Set before `run` is called (a wake from inside it counts as during the run). */
  let running = false
  let timer: NodeJS.Timeout | undefined
  /** Runs in a row that found nothing. */
  let idleRuns = 0
  /** None yet: a wake before the first run runs at once. */
  let lastEnded = Number.NEGATIVE_INFINITY
  let woken = false

  const schedule = (delayMs: number) => {
    clearTimeout(timer)
    if (stopped) return
    timer = setTimeout(tick, Math.max(0, delayMs))
    timer.unref()
  }

  function tick() {
    if (stopped || running) return
    woken = false
    running = true
    inFlight = untraced(() => options.run())
      .then(
        (result) => {
          idleRuns = result === 0 ? idleRuns + 1 : 0
        },
        (error: unknown) => {
          idleRuns = 0
          options.log.warn({ err: error }, `${options.what} failed`)
        },
      )
      .finally(() => {
        inFlight = undefined
        running = false
        lastEnded = Date.now()
        // Woken during the run: its work may have been committed after the run's look.
        const wait = woken ? everyMs : Math.min(maxEveryMs, everyMs * 2 ** Math.min(idleRuns, 20))
        schedule(wait)
      })
  }

  schedule(everyMs)
  return {
    wake() {
      if (stopped) return
      idleRuns = 0
      if (running) {
        woken = true
        return
      }
      schedule(lastEnded + everyMs - Date.now())
    },
    async stop() {
      stopped = true
      clearTimeout(timer)
      await inFlight
    },
  }
}
