import type { Logger } from './log.js'
import { untraced } from './tracing.js'

/** A background job started by `startPeriodic`. */
export interface PeriodicJob {
  /** No new run starts; resolves once the run in flight (if any) has ended. */
  stop(): Promise<void>
}

/**
 * Runs `run` every `everyMs` in the background (sweepers, expiry jobs, dispatchers): never two
 * runs at once (a slow one is not stacked on), a failure logged at `warn` with `what` and
 * retried at the next tick, and a timer that does not keep the process alive by itself. Runs are
 * untraced: a poll is not a trace of its own (what it finds to do may carry one).
 */
export function startPeriodic(options: {
  everyMs: number
  run: () => Promise<unknown>
  log: Logger
  /** Names the job in the failure log line, e.g. `deadline sweep`. */
  what: string
}): PeriodicJob {
  let inFlight: Promise<void> | undefined
  const timer = setInterval(() => {
    if (inFlight) return
    inFlight = untraced(() => options.run())
      .then(
        () => undefined,
        (error: unknown) => options.log.warn({ err: error }, `${options.what} failed`),
      )
      .finally(() => {
        inFlight = undefined
      })
  }, options.everyMs)
  timer.unref()
  return {
    async stop() {
      clearInterval(timer)
      await inFlight
    },
  }
}
