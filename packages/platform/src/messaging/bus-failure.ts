import { PermanentError } from '../errors.js'
import type { RetryPolicy } from './bus.js'

/** What a bus does with a message whose handler failed on delivery `attempt` (1-based). */
export type FailureStep =
  { kind: 'retry'; level: number; delayMs: number } | { kind: 'dead_letter' }

/**
 * Shared by both adapters so they agree on when a message is dead-lettered: after
 * `delaysMs.length + 1` attempts, or at once for a `PermanentError` (retrying cannot fix it).
 */
export function stepAfterFailure(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
): FailureStep {
  if (error instanceof PermanentError) return { kind: 'dead_letter' }
  const level = attempt - 1
  const delayMs = policy.delaysMs[level]
  return delayMs === undefined ? { kind: 'dead_letter' } : { kind: 'retry', level, delayMs }
}

// Long enough for a stack-less diagnosis, short enough to travel in an AMQP header.
const maxErrorLength = 2_000

/** The text kept with a failed message: the error's name and message, never its stack. */
export function errorText(error: unknown): string {
  const text =
    error instanceof Error
      ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
      : String(error)
  return text.length > maxErrorLength ? `${text.slice(0, maxErrorLength)}…` : text
}
