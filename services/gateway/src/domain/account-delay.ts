/**
 * Growing delays on an account's failed logins from clients it does not trust (OWASP
 * Authentication Cheat Sheet, "account lockout" done as throttling): the first `freeFailures`
 * cost nothing; each one after makes the account refuse untrusted attempts for a delay that
 * doubles, from `baseDelayMs` up to `maxDelayMs`. Failures are forgotten `windowMs` after the
 * last one (or after the last delay, if longer).
 */
export interface AccountDelayPolicy {
  /** Names the limit in keys and metrics. */
  name: string
  freeFailures: number
  baseDelayMs: number
  maxDelayMs: number
  windowMs: number
}

/** What is kept per account (in Redis: a hash `{f, b}` whose TTL is `expiresAt`). */
export interface AccountDelayState {
  failures: number
  /** Untrusted attempts are refused until then (0: not blocked). */
  blockedUntil: number
  expiresAt: number
}

/** The outcome of an attempt on an account. */
export interface AccountAttempt {
  allowed: boolean
  /** Until the account takes an untrusted attempt again (0 when allowed). */
  retryAfterMs: number
  /**
   * When allowed: the block this attempt set, should it fail (0 for none). Given back with a
   * refund, so that an attempt that did not fail lifts only the block it set itself.
   */
  ticket: number
}

/** The delay the `failures`-th failure sets: 0 up to `freeFailures`, then 1, 2, 4… × base. */
export function delayAfter(failures: number, policy: AccountDelayPolicy): number {
  if (failures <= policy.freeFailures) return 0
  return Math.min(policy.baseDelayMs * 2 ** (failures - policy.freeFailures - 1), policy.maxDelayMs)
}

/**
 * An attempt spends before it is forwarded, as if it were going to fail — so a burst of
 * concurrent guesses cannot all pass before the first failure is counted — and is refunded when
 * it did not (`refundAccountAttempt`). The Redis script in infra/redis-rate-limit-store.ts is
 * this same function in Lua; keep them in step.
 */
export function spendAccountAttempt(
  stored: AccountDelayState | undefined,
  now: number,
  policy: AccountDelayPolicy,
): { attempt: AccountAttempt; state: AccountDelayState | undefined } {
  const state = stored && stored.expiresAt > now ? stored : undefined
  if (state && state.blockedUntil > now) {
    return {
      attempt: { allowed: false, retryAfterMs: state.blockedUntil - now, ticket: 0 },
      state,
    }
  }
  const failures = (state?.failures ?? 0) + 1
  const delay = delayAfter(failures, policy)
  const blockedUntil = delay > 0 ? now + delay : 0
  return {
    attempt: { allowed: true, retryAfterMs: 0, ticket: blockedUntil },
    state: { failures, blockedUntil, expiresAt: now + Math.max(policy.windowMs, delay) },
  }
}

/** Gives back an attempt that did not fail (undefined: nothing left to keep). */
export function refundAccountAttempt(
  stored: AccountDelayState | undefined,
  now: number,
  ticket: number,
): AccountDelayState | undefined {
  if (!stored || stored.expiresAt <= now) return undefined
  const failures = Math.max(0, stored.failures - 1)
  const blockedUntil = stored.blockedUntil === ticket ? 0 : stored.blockedUntil
  if (failures === 0 && blockedUntil <= now) return undefined
  return { failures, blockedUntil, expiresAt: stored.expiresAt }
}
