/** Delay before the next attempt to send a message that failed `attempts` times. */
export function retryDelayMs(attempts: number, baseMs = 5_000, maxMs = 15 * 60_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1))
}

export type AfterFailure = { kind: 'retry'; delayMs: number } | { kind: 'give_up' }

/** What to do after a failed attempt: try again later, or give up after `maxAttempts`. */
export function afterFailure(attempts: number, maxAttempts: number): AfterFailure {
  return attempts >= maxAttempts
    ? { kind: 'give_up' }
    : { kind: 'retry', delayMs: retryDelayMs(attempts) }
}
