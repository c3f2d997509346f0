/**
 * What follows an attempt (issue 21, docs/webhooks.md): a 2xx delivers; timeouts, connection
 * errors, refused addresses, 5xx and 429 are retried after the schedule's next delay (429 and 503
 * no sooner than their Retry-After); any other answer (4xx, a redirect) fails the delivery at once.
 */
export type AttemptOutcome =
  { kind: 'answered'; status: number; retryAfterMs?: number } | { kind: 'error'; error: string }

export type NextStep =
  | { kind: 'delivered' }
  | { kind: 'retry'; delayMs: number }
  | { kind: 'failed'; reason: 'not_retryable' | 'exhausted' }

/** Whether an outcome may succeed if tried again later. */
export function isRetryable(outcome: AttemptOutcome): boolean {
  if (outcome.kind === 'error') return true
  return outcome.status >= 500 || outcome.status === 429 || outcome.status === 408
}

/** The longest Retry-After honoured (a day): a partner cannot park a delivery for ever. */
export const maxRetryAfterMs = 86_400_000

/**
 * The next step after the `attempts`-th attempt (1 for the first) of a series ended with
 * `outcome`. `delaysMs[i]` follows attempt i + 1; jitter draws each delay within ± `jitter` of
 * itself (`random` in [0, 1)), so endpoints that failed together are not retried together.
 */
export function nextStep(
  outcome: AttemptOutcome,
  attempts: number,
  schedule: { delaysMs: readonly number[]; jitter: number; random?: () => number },
): NextStep {
  if (outcome.kind === 'answered' && outcome.status >= 200 && outcome.status < 300) {
    return { kind: 'delivered' }
  }
  if (!isRetryable(outcome)) return { kind: 'failed', reason: 'not_retryable' }
  const base = schedule.delaysMs[attempts - 1]
  if (base === undefined) return { kind: 'failed', reason: 'exhausted' }
  const random = schedule.random ?? Math.random
  const jittered = Math.round(base * (1 + schedule.jitter * (2 * random() - 1)))
  const retryAfter =
    outcome.kind === 'answered' && outcome.retryAfterMs !== undefined
      ? Math.min(outcome.retryAfterMs, maxRetryAfterMs)
      : 0
  return { kind: 'retry', delayMs: Math.max(jittered, retryAfter, 0) }
}

/** A Retry-After header's wait in ms: seconds, or an HTTP date; undefined when neither. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime())
}
