import { describe, expect, it } from 'vitest'
import { acquire, newThrottle, type Permit } from './throttle.js'

const never = new AbortController().signal
const settled = async (promise: Promise<unknown>) =>
  Promise.race([promise.then(() => true), new Promise((r) => setTimeout(() => r(false), 30))])

describe('acquire', () => {
  it('lets everything through while the quota has never refused', async () => {
    const throttle = newThrottle()
    const permits = await Promise.all([1, 2, 3].map(() => acquire(throttle, 1000, never)))
    expect(permits.every(Boolean)).toBe(true)
    permits[0]!.settle({ throttled: false, remaining: 0 })
    expect(throttle.recovering).toBe(false)
  })

  it('after a 429: waits out retry-after, then one probe, then what remains, then normal', async () => {
    const throttle = newThrottle()
    const first = (await acquire(throttle, 1000, never))!
    first.settle({ throttled: true, retryAfterMs: 80 })
    const t0 = Date.now()
    const probe = (await acquire(throttle, 1000, never))!
    expect(Date.now() - t0).toBeGreaterThanOrEqual(70)
    const waiting = acquire(throttle, 1000, never)
    expect(await settled(waiting)).toBe(false) // behind the probe
    probe.settle({ throttled: false, remaining: 1, limit: 10 })
    const allowed = (await waiting)!
    expect(throttle.allowance).toBe(0)
    // The allowance spent, the next one probes, and the one after waits for it.
    const probe2 = (await acquire(throttle, 1000, never)) as Permit
    const after = acquire(throttle, 1000, never)
    expect(await settled(after)).toBe(false)
    allowed.settle({ throttled: false, remaining: 4, limit: 10 }) // not the probe's: stale
    expect(await settled(after)).toBe(false)
    probe2.settle({ throttled: false, remaining: 5, limit: 10 }) // half the quota back
    expect(await settled(after)).toBe(true)
    expect(throttle.recovering).toBe(false)
    expect(await settled(acquire(throttle, 1000, never))).toBe(true)
  })

  it('gives up when retry-after is beyond patience, and on stop', async () => {
    const throttle = newThrottle()
    ;(await acquire(throttle, 1000, never))!.settle({ throttled: true, retryAfterMs: 60_000 })
    expect(await acquire(throttle, 1000, never)).toBeUndefined()
    const stop = new AbortController()
    const short = newThrottle()
    ;(await acquire(short, 10_000, never))!.settle({ throttled: true, retryAfterMs: 5_000 })
    const pending = acquire(short, 10_000, stop.signal)
    stop.abort()
    expect(await pending).toBeUndefined()
  })

  it('a failed probe hands over to the next request', async () => {
    const throttle = newThrottle()
    ;(await acquire(throttle, 1000, never))!.settle({ throttled: true, retryAfterMs: 0 })
    const probe = (await acquire(throttle, 1000, never))!
    const next = acquire(throttle, 1000, never)
    expect(await settled(next)).toBe(false)
    probe.settle(undefined) // no answer (network error): still recovering
    expect(await settled(next)).toBe(true)
    expect(throttle.recovering).toBe(true)
  })
})
