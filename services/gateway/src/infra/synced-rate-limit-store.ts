import type { Logger } from '@emporium/platform'
import type { RateLimitStore } from '../app/ports.js'
import { gcra, type RateDecision, type RatePolicy } from '../domain/gcra.js'

/** The shared bucket as the synced store needs it (the Redis store; a fake in unit tests). */
export interface SharedBuckets extends RateLimitStore {
  /**
   * Counts `forced` spends admitted already, then spends `cost` (0 or 1) if the bucket allows
   * (domain/gcra.ts settleGcra). Undefined while the shared bucket cannot be reached.
   */
  settle(
    policy: RatePolicy,
    key: string,
    forced: number,
    cost: 0 | 1,
  ): Promise<RateDecision | undefined>
}

/** One key's quota as this replica knows it. */
interface Entry {
  policy: RatePolicy
  key: string
  /** The shared bucket's TAT at the last settlement, plus what was admitted here since. */
  tat: number | undefined
  /** Admitted here, not yet sent. */
  pending: number
  /** Sent, not yet answered (spends being decided there included). */
  inflight: number
}

export interface SyncedRateLimitStore extends RateLimitStore {
  /** Sends every key's pending spends in one round (the timer calls it every `syncMs`). */
  flush(): Promise<void>
  start(): void
  /** Stops the timer and sends what is pending. */
  close(): Promise<void>
}

/**
 * Quotas decided in this process and settled with the shared bucket in batches (Kong's
 * `sync_rate`, Envoy's local + global limits), for the limits named in `batched`; every other
 * limit, and every give-back, goes to `shared` per request, exactly.
 *
 * Per key this replica keeps a view of the bucket: its TAT as the shared bucket last said, plus
 * the spends admitted here since. A spend the view allows is admitted at once while fewer than
 * the local budget, B = max(1, ceil(limit × syncMs / period)) spends, are admitted here and not
 * yet counted by the shared bucket; past that it is decided by the shared bucket, exactly, in one
 * round trip that also carries the pending spends. Every `syncMs` the pending spends of all keys
 * go in one pipelined round; each answer replaces the view (a client spending through several
 * replicas is limited as one, and one refused anywhere stays refused here until its
 * retry-after). A view that refuses refuses without asking: the spends it counts did happen.
 * Over-admission, derived in docs/security.md ("Rate limits"): at most R × B spends beyond an
 * exact limiter's, R the number of replicas. While the shared bucket cannot be reached, the view
 * alone decides: per-instance limits, as the memory fallback.
 */
export function createSyncedRateLimitStore(options: {
  shared: SharedBuckets
  /** Names of the policies decided locally. */
  batched: readonly string[]
  syncMs: number
  log: Logger
  maxKeys?: number
  now?: () => number
}): SyncedRateLimitStore {
  const { shared, syncMs, log } = options
  const batched = new Set(options.batched)
  const maxKeys = options.maxKeys ?? 100_000
  const now = options.now ?? Date.now
  const entries = new Map<string, Entry>()
  const dirty = new Set<Entry>()
  const budgets = new WeakMap<RatePolicy, number>()
  let timer: NodeJS.Timeout | undefined

  function budget(policy: RatePolicy): number {
    let b = budgets.get(policy)
    if (b === undefined) {
      b = Math.max(1, Math.ceil((policy.limit * syncMs) / policy.periodMs))
      budgets.set(policy, b)
    }
    return b
  }

  function entryOf(policy: RatePolicy, key: string, at: number): Entry {
    const id = `${policy.name}:${key}`
    let entry = entries.get(id)
    if (!entry) {
      entry = { policy, key, tat: undefined, pending: 0, inflight: 0 }
      entries.set(id, entry)
      if (entries.size > maxKeys) sweep(at)
    }
    return entry
  }

  // A full bucket with nothing unsent is what an absent entry means: those go first.
  function sweep(at: number) {
    for (const [id, e] of entries) {
      if ((e.tat ?? 0) <= at && e.pending === 0 && e.inflight === 0) entries.delete(id)
    }
    for (const [id, e] of entries) {
      if (entries.size <= maxKeys * 0.9) break
      if (e.pending === 0 && e.inflight === 0) entries.delete(id)
    }
  }

  /** One round trip to the shared bucket; its answer becomes the view. */
  async function settle(entry: Entry, cost: 0 | 1): Promise<RateDecision | undefined> {
    const forced = entry.pending
    entry.pending = 0
    dirty.delete(entry)
    // A spend the shared bucket is deciding counts as admitted until it says (the view lacks it).
    entry.inflight += forced + cost
    let answer: RateDecision | undefined
    try {
      answer = await shared.settle(entry.policy, entry.key, forced, cost)
    } finally {
      entry.inflight -= forced + cost
    }
    if (!answer) return undefined
    // Answers come in the order sent (one connection): spends admitted or sent since this one
    // left are not in it.
    const unsettled = entry.pending + entry.inflight
    const at = now()
    const interval = entry.policy.periodMs / entry.policy.limit
    const tat = at + Math.max(0, answer.resetMs) + unsettled * interval
    entry.tat = tat > at ? tat : undefined
    return { ...answer, remaining: Math.max(0, answer.remaining - unsettled) }
  }

  function admit(entry: Entry, at: number): RateDecision {
    const local = gcra(entry.tat, at, entry.policy)
    if (local.decision.allowed) entry.tat = local.tat
    return local.decision
  }

  async function flush() {
    // Every `syncMs`, busy or idle: nothing pending costs nothing.
    if (dirty.size === 0) return
    const round = [...dirty]
    dirty.clear()
    await Promise.all(
      round.map((entry) =>
        settle(entry, 0).catch((error: unknown) => {
          log.warn({ err: error }, 'could not settle rate-limit spends')
        }),
      ),
    )
  }

  return {
    async consume(policy, key, cost = 1) {
      if (cost !== 1 || !batched.has(policy.name)) return shared.consume(policy, key, cost)
      const at = now()
      const entry = entryOf(policy, key, at)
      const local = gcra(entry.tat, at, policy)
      if (!local.decision.allowed) return local.decision
      if (entry.pending + entry.inflight < budget(policy)) {
        entry.tat = local.tat
        entry.pending += 1
        dirty.add(entry)
        return local.decision
      }
      const answer = await settle(entry, 1)
      // Unreachable: the view alone decides (per-instance limits until the bucket is back).
      return answer ?? admit(entry, now())
    },
    spendAccountAttempt: (policy, key) => shared.spendAccountAttempt(policy, key),
    refundAccountAttempt: (policy, key, ticket) => shared.refundAccountAttempt(policy, key, ticket),
    flush,
    start() {
      timer ??= setInterval(() => void flush(), syncMs)
      timer.unref()
    },
    async close() {
      if (timer) clearInterval(timer)
      timer = undefined
      await flush()
    },
  }
}
