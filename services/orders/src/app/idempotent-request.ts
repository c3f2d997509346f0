import { AppError, type Logger } from '@emporium/platform/app'
import type { IdempotencyStore, KeyClaim, StoredResponse } from './ports.js'

/** The response to send: the first one, or the stored one replayed. */
export type IdempotentResult = StoredResponse & { replayed: boolean }

/** Thrown inside the request's transaction when another request took the key over meanwhile. */
export class LostClaim extends Error {}

export interface IdempotentDeps {
  keys: IdempotencyStore
  now: () => Date
  log: Logger
  /** How long a claim holds its key before another request may take it over. Default 30 s. */
  leaseMs?: number
  /** How long a request waits for another holding the same key. Default 10 s. */
  waitMs?: number
  pollMs?: number
}

/**
 * Runs a request once per (caller, Idempotency-Key), the rules of `POST /orders`: the key is
 * claimed first (its own transaction), a repeat replays the stored response, a request meeting
 * one in progress waits for it, another body under the same key is a 422, and any failure gives
 * the key back so that the client can retry with it. `run` stores its response with
 * `tx.completeKey(claim, ...)` in its final transaction, and throws `LostClaim` when that
 * fails (then the request that took the key over has the answer).
 */
export function createIdempotentRunner(deps: IdempotentDeps) {
  const leaseMs = deps.leaseMs ?? 30_000
  const waitMs = deps.waitMs ?? 10_000
  const pollMs = deps.pollMs ?? 100
  return async (
    request: { userId: string; idempotencyKey: string; fingerprint: string },
    run: (claim: KeyClaim) => Promise<StoredResponse>,
  ): Promise<IdempotentResult> => {
    const waitUntil = Date.now() + waitMs
    for (;;) {
      const outcome = await deps.keys.claim(
        request.userId,
        request.idempotencyKey,
        request.fingerprint,
        deps.now(),
        leaseMs,
      )
      if (outcome.kind === 'reused') throw keyReused()
      if (outcome.kind === 'completed') return { ...outcome.response, replayed: true }
      if (outcome.kind === 'in_progress') {
        if (Date.now() >= waitUntil) throw stillInProgress()
        await new Promise((resolve) => setTimeout(resolve, pollMs))
        continue
      }
      try {
        return { ...(await run(outcome.claim)), replayed: false }
      } catch (error) {
        // Another request took the expired lease over: its outcome is the answer.
        if (error instanceof LostClaim) continue
        await deps.keys
          .release(outcome.claim)
          .catch((e: unknown) => deps.log.warn({ err: e }, 'could not release an idempotency key'))
        throw error
      }
    }
  }
}

function keyReused(): AppError {
  return new AppError(
    'unprocessable',
    'ORDERS.IDEMPOTENCY_KEY_REUSED',
    'This Idempotency-Key was used with a different request body.',
  )
}

function stillInProgress(): AppError {
  return new AppError(
    'conflict',
    'ORDERS.IDEMPOTENCY_KEY_IN_PROGRESS',
    'A request with this Idempotency-Key is still being processed; retry shortly.',
    { details: { retryAfterSeconds: 1 } },
  )
}
