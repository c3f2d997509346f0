import { randomUUID } from 'node:crypto'
import { AppError, type Logger } from '@emporium/platform/app'
import type { IdempotencyStore, KeyClaim, KeyClaimRequest, StoredResponse } from './ports.js'

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
 * Claims a new key in a statement of the caller's own (with a read it makes anyway, to spare a
 * transaction): true when it did, false when the key exists.
 */
export type ClaimWith = (claim: KeyClaimRequest) => Promise<boolean>

/**
 * Runs a request once per (caller, Idempotency-Key), the rules of `POST /orders`: the key is
 * claimed first (its own transaction, or `claimWith`'s statement), a repeat replays the stored
 * response, a request meeting one in progress waits for it, another body under the same key is a
 * 422, and any failure gives the key back so that the client can retry with it. `run` stores its
 * response with `tx.completeKey(claim, ...)` in its final transaction, and throws `LostClaim`
 * when that fails (then the request that took the key over has the answer). `run` is told
 * whether `claimWith` made the claim (else the store did, after `claimWith` found the key taken).
 */
export function createIdempotentRunner(deps: IdempotentDeps) {
  const leaseMs = deps.leaseMs ?? 30_000
  const waitMs = deps.waitMs ?? 10_000
  const pollMs = deps.pollMs ?? 100
  const release = (claim: KeyClaim) =>
    deps.keys
      .release(claim)
      .catch((e: unknown) => deps.log.warn({ err: e }, 'could not release an idempotency key'))
  return async (
    request: { userId: string; idempotencyKey: string; fingerprint: string },
    run: (claim: KeyClaim, claimedWith: boolean) => Promise<StoredResponse>,
    claimWith?: ClaimWith,
  ): Promise<IdempotentResult> => {
    const waitUntil = Date.now() + waitMs
    // Undefined when another request took the expired lease over: its outcome is the answer.
    const attempt = async (claim: KeyClaim, claimedWith: boolean) => {
      try {
        return { ...(await run(claim, claimedWith)), replayed: false }
      } catch (error) {
        if (error instanceof LostClaim) return undefined
        await release(claim)
        throw error
      }
    }
    if (claimWith) {
      const claim = { userId: request.userId, key: request.idempotencyKey, token: randomUUID() }
      let claimed: boolean
      try {
        claimed = await claimWith({
          ...claim,
          fingerprint: request.fingerprint,
          now: deps.now(),
          leaseMs,
        })
      } catch (error) {
        // Its statement may have claimed before what came after it failed.
        await release(claim)
        throw error
      }
      const result = claimed ? await attempt(claim, true) : undefined
      if (result) return result
    }
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
      const result = await attempt(outcome.claim, false)
      if (result) return result
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
