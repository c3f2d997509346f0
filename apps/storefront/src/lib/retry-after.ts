/** A failure that asks to be retried later: a 429 or 503 with `retry-after` (seconds). */
interface Busy {
  status: number
  retryAfter?: number
  code?: string
}

export interface RetryAfterOptions {
  /** Tries in all, the first included. */
  tries: number
  /** Longest wait honoured; a longer `retry-after` ends the tries at once. */
  maxWaitSeconds: number
  /** Told before each wait, so the page can say it is busy and retrying. */
  onWait?: (seconds: number, nextTry: number) => void
  sleep?: (ms: number) => Promise<void>
}

const isBusy = (error: unknown): error is Busy => {
  const { status, retryAfter, code } = (error ?? {}) as Partial<Busy>
  // Too many declined cards is a 429 about the cards, not the shop's load: the shopper hears it.
  if (code?.endsWith('.TOO_MANY_DECLINES')) return false
  return (status === 429 || status === 503) && typeof retryAfter === 'number' && retryAfter > 0
}

/**
 * Runs `call`, and again after the wait a 429/503 asked for, up to `tries` times. The caller
 * keeps what makes a repeat safe (an order's Idempotency-Key): the shop answered that it did
 * nothing yet, or it replays its first answer.
 */
export async function withRetryAfter<T>(
  call: () => Promise<T>,
  options: RetryAfterOptions,
): Promise<T> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!isBusy(error) || attempt >= options.tries) throw error
      const seconds = error.retryAfter!
      if (seconds > options.maxWaitSeconds) throw error
      options.onWait?.(seconds, attempt + 1)
      // A little jitter, so that shoppers told the same second do not all come back at once.
      await sleep(seconds * 1000 + Math.random() * 500)
    }
  }
}
