import { describe, expect, it } from 'vitest'
import { gcra, settleGcra, strictest, type RateDecision, type RatePolicy } from './gcra.js'

const policy: RatePolicy = { name: 'test', limit: 5, periodMs: 60_000 }

/** Runs the algorithm over a sequence of request times (ms), keeping the state between. */
function run(times: number[], p = policy) {
  let tat: number | undefined
  return times.map((now) => {
    const result = gcra(tat, now, p)
    tat = result.tat
    return result.decision
  })
}

describe('gcra (token bucket)', () => {
  it('allows a burst of the limit, then refuses until a token comes back', () => {
    const decisions = run([0, 0, 0, 0, 0, 0])
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false])
    expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0])
    expect(decisions[5]!.retryAfterMs).toBe(12_000) // one token per 60 s / 5
    expect(decisions[4]!.resetMs).toBe(60_000)
  })

  it('refills steadily: no double burst at a window edge', () => {
    // A fixed window would allow 5 at 59 s and 5 more at 61 s.
    const decisions = run([59_000, 59_000, 59_000, 59_000, 59_000, 61_000, 61_000, 71_000])
    expect(decisions.map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      true,
    ])
  })

  it('works with periods that do not divide evenly', () => {
    const odd = { name: 'odd', limit: 7, periodMs: 60_000 }
    const decisions = run(Array(8).fill(1_000), odd)
    expect(decisions.map((d) => d.allowed)).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ])
    expect(decisions.map((d) => d.remaining)).toEqual([6, 5, 4, 3, 2, 1, 0, 0])
  })

  it('gives a token back, never beyond a full bucket', () => {
    let { tat } = gcra(undefined, 0, policy)
    tat = gcra(tat, 0, policy).tat
    const back = gcra(tat, 0, policy, -1)
    expect(back.decision.remaining).toBe(4)
    const full = gcra(back.tat, 0, policy, -1)
    expect(full.decision.remaining).toBe(5)
    expect(gcra(full.tat, 0, policy, -1).tat).toBeUndefined()
  })

  it('reports the strictest of several decisions', () => {
    const d = (allowed: boolean, remaining: number, retryAfterMs = 0): RateDecision => ({
      allowed,
      remaining,
      retryAfterMs,
      resetMs: 0,
      policy,
    })
    expect(strictest([d(true, 10), d(true, 3)])?.remaining).toBe(3)
    expect(strictest([d(true, 0), d(false, 0, 5), d(false, 0, 9)])?.retryAfterMs).toBe(9)
    expect(strictest([])).toBeUndefined()
  })
})

describe('settleGcra (spends admitted elsewhere, then one to decide)', () => {
  it('counts forced spends past full, so the bucket refuses for longer', () => {
    // 5 per minute: 12 s a token. Seven admitted elsewhere: two past full.
    const settled = settleGcra(undefined, 0, policy, 7, 1)
    expect(settled.decision).toMatchObject({ allowed: false, remaining: 0, resetMs: 84_000 })
    expect(settled.decision.retryAfterMs).toBe(36_000)
    expect(settled.tat).toBe(84_000)
  })

  it('decides the one spend as gcra does once the forced ones are counted', () => {
    const settled = settleGcra(undefined, 0, policy, 2, 1)
    const stepwise = run([0, 0, 0])
    expect(settled.decision).toEqual(stepwise[2])
    expect(settleGcra(settled.tat, 0, policy, 0, 0).decision.remaining).toBe(2)
  })
})
