import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Whose rate-limit quota a request spends (a shopper's; the address's for anonymous calls,
 * login and registration), and what the gateway said of it lately.
 */
export interface Throttle {
  /** Nothing is sent before this (epoch ms): the last 429's retry-after. */
  until: number
  /** Since a 429 and until an answer shows room again, requests are metered (see acquire). */
  recovering: boolean
  /** While recovering: requests that may go without probing (what the last probe saw remain). */
  allowance: number
  /** While recovering with no allowance: the one request testing the quota. */
  probe?: Promise<void>
}
export const newThrottle = (): Throttle => ({ until: 0, recovering: false, allowance: 0 })

/** What a request learnt of the quota: refused for a while, answered, or nothing. */
export type QuotaNews =
  | { throttled: true; retryAfterMs: number }
  /** `remaining` and `limit`: the answer's `ratelimit-remaining` and `ratelimit-limit`. */
  | { throttled: false; remaining?: number; limit?: number }
  | undefined

export interface Permit {
  /** Tell the throttle how the request went (call exactly once). */
  settle(news: QuotaNews): void
}

function learn(throttle: Throttle, news: QuotaNews, probe: boolean) {
  if (!news) return
  if (news.throttled) {
    throttle.until = Math.max(throttle.until, Date.now() + news.retryAfterMs)
    throttle.recovering = true
    throttle.allowance = 0
    return
  }
  if (!throttle.recovering) return
  const { remaining, limit } = news
  // Without the headers there is nothing to meter by; with half the quota back, it is not tight.
  if (remaining === undefined || remaining >= (limit ?? 2) / 2) throttle.recovering = false
  // Only the probe's reading is fresh (nothing else was in flight): the others' are spent already.
  else if (probe) throttle.allowance = remaining
}

/**
 * Waits for the right to send: past the last retry-after, and, while recovering from a 429,
 * within the `ratelimit-remaining` the gateway last reported, else as the one probe (the
 * others wait for its answer), so that a crowd sharing a quota does not stampede it each time
 * it reopens. Undefined when the wait would be longer than `maxWaitMs`, or on `stop`.
 */
export async function acquire(
  throttle: Throttle,
  maxWaitMs: number,
  stop: AbortSignal,
): Promise<Permit | undefined> {
  for (;;) {
    if (stop.aborted) return undefined
    const wait = throttle.until - Date.now()
    if (wait > maxWaitMs) return undefined
    if (wait > 0) {
      await sleep(wait, undefined, { signal: stop }).catch(() => undefined)
      continue
    }
    if (!throttle.recovering) return { settle: (news) => learn(throttle, news, false) }
    if (throttle.allowance > 0) {
      throttle.allowance--
      return { settle: (news) => learn(throttle, news, false) }
    }
    if (throttle.probe) {
      await throttle.probe
      continue
    }
    let release!: () => void
    throttle.probe = new Promise((resolve) => (release = resolve))
    return {
      settle(news) {
        learn(throttle, news, true)
        throttle.probe = undefined
        release()
      },
    }
  }
}
