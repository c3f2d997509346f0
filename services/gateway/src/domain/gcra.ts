/** A limit: `limit` requests per `periodMs`, at most `limit` of them at once. */
export interface RatePolicy {
  /** Names the limit in keys, metrics and the `ratelimit-policy` header. */
  name: string
  limit: number
  periodMs: number
}

/** The outcome of spending from a quota, with what the `ratelimit-*` headers say. */
export interface RateDecision {
  allowed: boolean
  policy: RatePolicy
  /** Requests that could still be made now. */
  remaining: number
  /** Until the quota is whole again. */
  resetMs: number
  /** Until the next request would be allowed (0 when allowed). */
  retryAfterMs: number
}

// Float noise of `interval * limit` against `periodMs` must not refuse the last request.
const epsilonMs = 0.001

/**
 * The generic cell rate algorithm: a token bucket (`limit` tokens, refilled one every
 * `periodMs / limit`) kept as a single number per client, the theoretical arrival time (TAT) —
 * when the bucket would be full again. Unlike a fixed window it allows no double burst at a
 * window's edge, and unlike a sliding log it stores O(1) per client. The Redis script in
 * infra/redis-rate-limit-store.ts is this same function in Lua; keep them in step.
 *
 * `cost` 1 spends a token; -1 gives one back (a failed login that turned out not to fail).
 * Returns the decision and the TAT to store (undefined: nothing to keep, the bucket is full).
 */
export function gcra(
  storedTat: number | undefined,
  now: number,
  policy: RatePolicy,
  cost = 1,
): { decision: RateDecision; tat: number | undefined; changed: boolean } {
  const interval = policy.periodMs / policy.limit
  const tat = Math.max(storedTat ?? now, now)
  let next = tat + cost * interval
  if (cost > 0 && next - policy.periodMs - now > epsilonMs) {
    return {
      decision: {
        allowed: false,
        policy,
        remaining: 0,
        resetMs: Math.ceil(tat - now),
        retryAfterMs: Math.ceil(next - policy.periodMs - now),
      },
      tat: storedTat,
      changed: false,
    }
  }
  next = Math.max(next, now)
  return {
    decision: {
      allowed: true,
      policy,
      remaining: Math.floor((now + policy.periodMs - next) / interval + 1e-6),
      resetMs: Math.ceil(next - now),
      retryAfterMs: 0,
    },
    tat: next > now ? next : undefined,
    changed: true,
  }
}

/**
 * What a replica that decides locally (infra/synced-rate-limit-store.ts) asks the shared bucket:
 * first counts `forced` spends it admitted already, unconditionally (they happened: the bucket
 * may go past full, and then refuses for longer, paying the excess back), then spends `cost`
 * (0 or 1) only if the bucket allows. The Redis settle script is this function in Lua.
 */
export function settleGcra(
  storedTat: number | undefined,
  now: number,
  policy: RatePolicy,
  forced: number,
  cost: 0 | 1,
): { decision: RateDecision; tat: number | undefined } {
  const interval = policy.periodMs / policy.limit
  let tat = Math.max(storedTat ?? now, now) + forced * interval
  let allowed = false
  let retryAfterMs = 0
  if (cost > 0) {
    const next = tat + cost * interval
    if (next - policy.periodMs - now > epsilonMs)
      retryAfterMs = Math.ceil(next - policy.periodMs - now)
    else {
      tat = next
      allowed = true
    }
  }
  const remaining = Math.max(0, Math.floor((now + policy.periodMs - tat) / interval + 1e-6))
  return {
    decision: { allowed, policy, remaining, resetMs: Math.ceil(tat - now), retryAfterMs },
    tat: tat > now ? tat : undefined,
  }
}

/**
 * The decision whose headers a response carries when several limits applied: a refusal (the
 * one that lasts longest), else the limit closest to refusing.
 */
export function strictest(decisions: readonly RateDecision[]): RateDecision | undefined {
  let pick: RateDecision | undefined
  for (const d of decisions) {
    if (!pick) pick = d
    else if (!d.allowed && (pick.allowed || d.retryAfterMs > pick.retryAfterMs)) pick = d
    else if (d.allowed && pick.allowed && d.remaining < pick.remaining) pick = d
  }
  return pick
}
