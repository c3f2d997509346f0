import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRecordingLog } from './outbox-test-support.js'
import { createOutboxRelayLoop } from './outbox-relay-loop.js'

/** A loop over a fake outbox: `unsent` rows wait; every look and cycle is counted. */
function fakeLoop(options: { maxPollIntervalMs?: number } = {}) {
  const counts = { looks: 0, cycles: 0 }
  let unsent = 0
  const loop = createOutboxRelayLoop({
    log: createRecordingLog().log,
    anyUnsent: async () => {
      counts.looks++
      return unsent > 0
    },
    cycle: async () => {
      counts.cycles++
      loop.selected() // as the publisher does once its SELECT is sent
      const taken = unsent
      unsent = 0
      return taken
    },
    afterCycle: async () => undefined,
    batchSize: 100,
    pollIntervalMs: 500,
    lingerMs: 0,
    maxBackoffMs: 30_000,
    ...options,
  })
  return { loop, counts, add: (n: number) => (unsent += n) }
}

describe('the outbox relay loop', () => {
  beforeEach(() => vi.useFakeTimers())
  afterEach(() => vi.useRealTimers())

  it('looks less and less often while the looks find nothing, up to the longest interval', async () => {
    const { loop, counts } = fakeLoop({ maxPollIntervalMs: 4_000 })
    loop.start()
    await vi.advanceTimersByTimeAsync(60_000)
    // 500, 1,000, 2,000 and then 4,000 ms apart: about 17 looks, not 120.
    expect(counts.looks).toBeGreaterThanOrEqual(15)
    expect(counts.looks).toBeLessThanOrEqual(19)
    const before = counts.looks
    await vi.advanceTimersByTimeAsync(40_000)
    expect(counts.looks).toBe(before + 10) // 4 s apart from then on
    await loop.stop()
  })

  it('is back to the shortest interval after a wake-up or rows found by a look', async () => {
    const { loop, counts, add } = fakeLoop({ maxPollIntervalMs: 4_000 })
    loop.start()
    await vi.advanceTimersByTimeAsync(30_000)
    add(1)
    loop.wake()
    await vi.advanceTimersByTimeAsync(10)
    expect(counts.cycles).toBe(1)
    const looks = counts.looks
    await vi.advanceTimersByTimeAsync(600)
    expect(counts.looks).toBe(looks + 1) // 500 ms after the woken cycle

    // Rows written by another process: the next look finds them and polls stay frequent.
    await vi.advanceTimersByTimeAsync(20_000)
    add(3)
    await vi.advanceTimersByTimeAsync(4_100)
    expect(counts.cycles).toBe(2)
    const after = counts.looks
    await vi.advanceTimersByTimeAsync(600)
    expect(counts.looks).toBe(after + 1)
    await loop.stop()
  })

  it('looks at a fixed interval without a longest one', async () => {
    const { loop, counts } = fakeLoop()
    loop.start()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(counts.looks).toBeGreaterThanOrEqual(20)
    await loop.stop()
  })
})
