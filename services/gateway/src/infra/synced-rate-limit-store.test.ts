import { createLogger } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { gcra, settleGcra, type RateDecision, type RatePolicy } from '../domain/gcra.js'
import { createSyncedRateLimitStore, type SharedBuckets } from './synced-rate-limit-store.js'

const log = createLogger({ service: 'test', level: 'silent' })
// 100 per second: one token per 10 ms; with a 50 ms sync, a local budget of 5.
const policy: RatePolicy = { name: 'client', limit: 100, periodMs: 1_000 }
const syncMs = 50
const budget = Math.max(1, Math.ceil((policy.limit * syncMs) / policy.periodMs))
const interval = policy.periodMs / policy.limit

interface Clock {
  now: number
}

/**
 * A shared bucket with Redis's semantics: each call runs atomically when it arrives (at the
 * clock's time); its answer reaches the replica later, when `deliver` says (a round trip).
 */
function fakeShared(clock: Clock) {
  const tats = new Map<string, number | undefined>()
  const answers: Array<{ sent: number; send: () => void }> = []
  // The decision carries when the bucket took it, the time the spend counts from.
  const later = (decision: RateDecision) =>
    new Promise<RateDecision>((resolve) => {
      const at = clock.now
      answers.push({ sent: at, send: () => resolve({ ...decision, at } as RateDecision) })
    })
  const shared: SharedBuckets & { calls: number; deliver(latencyMs: number): void } = {
    calls: 0,
    async settle(p, key, forced, cost) {
      shared.calls += 1
      const result = settleGcra(tats.get(`${p.name}:${key}`), clock.now, p, forced, cost)
      tats.set(`${p.name}:${key}`, result.tat)
      return later(result.decision)
    },
    async consume(p, key, cost = 1) {
      shared.calls += 1
      const result = gcra(tats.get(`${p.name}:${key}`), clock.now, p, cost)
      tats.set(`${p.name}:${key}`, result.tat)
      return later(result.decision)
    },
    spendAccountAttempt: () => Promise.reject(new Error('not in these tests')),
    refundAccountAttempt: () => Promise.reject(new Error('not in these tests')),
    deliver(latencyMs) {
      while (answers.length > 0 && answers[0]!.sent <= clock.now - latencyMs)
        answers.shift()!.send()
    },
  }
  return shared
}

/** A small deterministic generator (mulberry32), so a failing schedule can be replayed. */
function random(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

const settled = () => new Promise((resolve) => setImmediate(resolve))

/**
 * One client sending through `replicas` gateway instances, millisecond by millisecond, for
 * `ms`: `load(t, rand)` requests at t, each to a random instance. Each instance flushes every
 * `syncMs` (at a phase of its own); answers take `latencyMs`. Returns when each was admitted.
 */
async function simulate(options: {
  replicas: number
  ms: number
  seed: number
  latencyMs: number
  load: (t: number, rand: () => number) => number
  /** One shared bucket per instance: the replicas do not share (the control). */
  unshared?: boolean
}) {
  const clock: Clock = { now: 0 }
  const rand = random(options.seed)
  const one = fakeShared(clock)
  const buckets = Array.from({ length: options.replicas }, () =>
    options.unshared ? fakeShared(clock) : one,
  )
  const stores = buckets.map((shared) =>
    createSyncedRateLimitStore({
      shared,
      batched: [policy.name],
      syncMs,
      log,
      now: () => clock.now,
    }),
  )
  const phases = stores.map(() => Math.floor(rand() * syncMs))
  const admitted: number[] = []
  let sent = 0
  for (clock.now = 0; clock.now < options.ms; clock.now++) {
    for (let i = 0; i < options.load(clock.now, rand); i++) {
      sent += 1
      const store = stores[Math.floor(rand() * stores.length)]!
      void store.consume(policy, 'client-1').then((d) => {
        if (d.allowed) admitted.push((d as { at?: number }).at ?? clock.now)
      })
    }
    stores.forEach((store, i) => {
      if (clock.now % syncMs === phases[i]) void store.flush()
    })
    for (const shared of new Set(buckets)) shared.deliver(options.latencyMs)
    await settled()
  }
  admitted.sort((a, b) => a - b)
  return { admitted, sent, calls: one.calls }
}

/** The most admitted in any window of `windowMs`, and what an exact limiter allows in one. */
function worstWindow(admitted: number[], windowMs: number) {
  let most = 0
  let start = 0
  for (let end = 0; end < admitted.length; end++) {
    while (admitted[end]! - admitted[start]! >= windowMs) start++
    most = Math.max(most, end - start + 1)
  }
  return { most, exact: policy.limit + Math.floor(windowMs / interval) + 1 }
}

const windows = [1, 10, 50, 100, 500, 1_000, 3_000]
type Load = (t: number, rand: () => number) => number
const loads: Array<[string, Load]> = [
  ['a client hammering', (_t, rand) => Math.floor(rand() * 3)],
  ['a client flooding', (_t, rand) => Math.floor(rand() * 30)],
  // Bursts now and then, idle in between: views go stale while the others spend.
  ['a bursty client', (t, rand) => (t % 700 < 60 ? Math.floor(rand() * 6) : rand() < 0.05 ? 1 : 0)],
  // A whole bucket at once, then a trickle just as it refills.
  [
    'a client timing the refill',
    (t, rand) => (t % 1_100 < 2 ? 120 : t % 1_100 > 1_000 ? Math.floor(rand() * 4) : 0),
  ],
]

describe('synced rate limit store', () => {
  // Simulated: (R − 1) × B at worst over these schedules; the documented bound is R × B.
  for (const [name, load] of loads) {
    for (const replicas of [2, 4]) {
      it(`admits at most R × B beyond an exact limiter: ${name}, ${replicas} replicas`, async () => {
        for (const [seed, latencyMs] of [
          [1, 1],
          [2, 5],
          [3, 20],
        ] as const) {
          const run = await simulate({ replicas, ms: 6_000, seed, latencyMs, load })
          for (const windowMs of windows) {
            const { most, exact } = worstWindow(run.admitted, windowMs)
            expect(most, `seed ${seed}, ${windowMs} ms`).toBeLessThanOrEqual(
              exact + replicas * budget,
            )
          }
          // Limited, not merely counted: over the run, about the rate.
          expect(run.admitted.length).toBeLessThanOrEqual(
            policy.limit + 6_000 / interval + replicas * budget,
          )
        }
      })
    }
  }

  it('is exact on one replica', async () => {
    for (const [name, load] of loads) {
      const run = await simulate({ replicas: 1, ms: 3_000, seed: 5, latencyMs: 5, load })
      for (const windowMs of windows) {
        const { most, exact } = worstWindow(run.admitted, windowMs)
        expect(most, `${name}, ${windowMs} ms`).toBeLessThanOrEqual(exact)
      }
    }
  })

  it('would not hold without the shared bucket (the control)', async () => {
    const run = await simulate({
      replicas: 2,
      ms: 3_000,
      seed: 1,
      latencyMs: 2,
      load: loads[0]![1],
    })
    const alone = await simulate({
      replicas: 2,
      ms: 3_000,
      seed: 1,
      latencyMs: 2,
      load: loads[0]![1],
      unshared: true,
    })
    const bound = worstWindow(run.admitted, 1_000).exact + 2 * budget
    expect(worstWindow(run.admitted, 1_000).most).toBeLessThanOrEqual(bound)
    expect(worstWindow(alone.admitted, 1_000).most).toBeGreaterThan(bound)
  })

  it('decides most spends locally: one round per sync interval for a steady client', async () => {
    // 30 per second on one instance, below the limit: every request admitted, locally.
    const run = await simulate({
      replicas: 1,
      ms: 2_000,
      seed: 4,
      latencyMs: 1,
      load: (t) => (t % 33 === 0 ? 1 : 0),
    })
    expect(run.admitted.length).toBe(Math.ceil(2_000 / 33))
    expect(run.calls).toBeLessThanOrEqual(2_000 / syncMs + 1)
  })
})

describe('synced rate limit store, around the shared bucket', () => {
  it('decides alone while the shared bucket is unreachable (per-instance limits)', async () => {
    const clock = { now: 0 }
    let calls = 0
    const unreachable: SharedBuckets = {
      async settle() {
        calls += 1
        return undefined
      },
      consume: () => Promise.reject(new Error('not batched here')),
      spendAccountAttempt: () => Promise.reject(new Error('not in this test')),
      refundAccountAttempt: () => Promise.reject(new Error('not in this test')),
    }
    const store = createSyncedRateLimitStore({
      shared: unreachable,
      batched: [policy.name],
      syncMs,
      log,
      now: () => clock.now,
    })
    const decisions: RateDecision[] = []
    for (let i = 0; i < 101; i++) decisions.push(await store.consume(policy, 'k'))
    expect(decisions.slice(0, 100).every((d) => d.allowed)).toBe(true)
    expect(decisions[100]).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 10 })
    expect(calls).toBeGreaterThan(0)
    await store.flush()
  })

  it('sends other limits and give-backs to the shared bucket, each at once', async () => {
    const clock = { now: 0 }
    const shared = fakeShared(clock)
    const store = createSyncedRateLimitStore({
      shared,
      batched: [policy.name],
      syncMs,
      log,
      now: () => clock.now,
    })
    const login = { name: 'login', limit: 2, periodMs: 60_000 }
    const spent = [store.consume(login, 'ip:a'), store.consume(login, 'ip:a')]
    const third = store.consume(login, 'ip:a')
    const refund = store.consume(policy, 'k', -1)
    expect(shared.calls).toBe(4)
    shared.deliver(0)
    expect((await Promise.all(spent)).map((d) => d.allowed)).toEqual([true, true])
    expect((await third).allowed).toBe(false)
    await refund
  })

  it('adopts the shared bucket: a client refused through another replica is refused here', async () => {
    const clock = { now: 0 }
    const shared = fakeShared(clock)
    const [a, b] = [0, 1].map(() =>
      createSyncedRateLimitStore({
        shared,
        batched: [policy.name],
        syncMs,
        log,
        now: () => clock.now,
      }),
    )
    // b knows the client (one spend, settled), then the client spends everything through a.
    void b!.consume(policy, 'k')
    const bFlushed = b!.flush()
    shared.deliver(0)
    await bFlushed
    const spending = Array.from({ length: 150 }, () => a!.consume(policy, 'k'))
    shared.deliver(0)
    const allowedOnA = (await Promise.all(spending)).filter((d) => d.allowed).length
    expect(allowedOnA).toBe(99)
    // b's view is stale: it admits at most its budget before the shared bucket answers.
    const onB: Array<Promise<RateDecision>> = []
    for (let i = 0; i < 20; i++) onB.push(b!.consume(policy, 'k'))
    shared.deliver(0)
    const allowedOnB = (await Promise.all(onB)).filter((d) => d.allowed).length
    expect(allowedOnB).toBeLessThanOrEqual(budget)
    // Now refused locally, with the retry-after the shared bucket implies, no round trip.
    const before = shared.calls
    const refused = await b!.consume(policy, 'k')
    expect(refused.allowed).toBe(false)
    expect(refused.retryAfterMs).toBeGreaterThan(0)
    expect(shared.calls).toBe(before)
  })
})
