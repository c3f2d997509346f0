import type { Logger } from '@emporium/platform/app'
import { backoffDelayMs } from '../domain/backoff.js'
import { ProviderTransientError } from './ports.js'

export interface RetryOptions {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** First backoff step; doubles per attempt, jittered. */
  baseMs: number
  /** Ceiling of one backoff step. */
  capMs?: number
  /** Bound of one attempt; past it the attempt counts as a transient failure. */
  timeoutMs: number
  log?: Logger
  sleep?: (ms: number) => Promise<void>
  random?: () => number
}

/** The outcome of a call with retries: its value, or the transient failure that outlasted them. */
export type Attempted<T> =
  | { ok: true; value: T; attempts: number }
  | { ok: false; error: ProviderTransientError; attempts: number }

/** A provider call that got no answer within its bound. */
export class ProviderTimeoutError extends ProviderTransientError {
  constructor(ms: number) {
    super(`the provider did not answer within ${ms} ms`)
    this.name = 'ProviderTimeoutError'
  }
}

/**
 * Calls the provider with a bounded, jittered exponential retry of transient failures (and
 * timeouts). Every attempt repeats the same idempotency key, so an attempt that timed out after
 * the provider acted is answered with that first result. Anything but a transient failure is
 * thrown at once.
 *
 * (A hand-written loop rather than cockatiel's `retry`: payments does not declare cockatiel, and
 * the loop is a dozen lines whose bounds the unit tests pin down.)
 */
export function createProviderCaller(options: RetryOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)))
  const random = options.random ?? Math.random
  const capMs = options.capMs ?? 5_000

  return async function callProvider<T>(
    /** For the logs: which call, and for which order. */
    what: { operation: string; orderId?: string },
    call: () => Promise<T>,
  ): Promise<Attempted<T>> {
    let last: ProviderTransientError | undefined
    for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
      try {
        return { ok: true, value: await withTimeout(call, options.timeoutMs), attempts: attempt }
      } catch (error) {
        if (!(error instanceof ProviderTransientError)) throw error
        last = error
        options.log?.warn(
          { ...what, attempt, maxAttempts: options.maxAttempts, error: error.message },
          'payment provider failed transiently',
        )
        if (attempt < options.maxAttempts) {
          await sleep(backoffDelayMs(attempt, { baseMs: options.baseMs, capMs, random }))
        }
      }
    }
    return { ok: false, error: last!, attempts: options.maxAttempts }
  }
}

export type ProviderCaller = ReturnType<typeof createProviderCaller>

async function withTimeout<T>(call: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProviderTimeoutError(ms)), ms)
  })
  try {
    return await Promise.race([call(), timeout])
  } finally {
    clearTimeout(timer)
  }
}
