import { describe, expect, it } from 'vitest'
import { progressLine } from './progress.js'

describe('progressLine', () => {
  it('shows the clock, rates, counts and latency', () => {
    const line = progressLine({
      elapsedSeconds: 12.4,
      durationSeconds: 60,
      targetRate: 2.4,
      started: 25,
      inFlight: 3,
      requests: 124,
      errors: 1,
      throttled: 2,
      dropped: 0,
      placed: 4,
      ended: 3,
      latency: { p50: 12.34, p90: 30, p99: 181.6, max: 300 },
      draining: false,
    })
    expect(line).toBe(
      '[12s/60s] target 2.4/s, started 25, in flight 3 | requests 124 (10/s), errors 1, ' +
        'throttled 2, dropped 0 | orders 4 placed, 3 ended | p50 12.3 ms, p99 182 ms',
    )
  })

  it('says when the run is draining', () => {
    const line = progressLine({
      elapsedSeconds: 65,
      durationSeconds: 60,
      targetRate: 0,
      started: 0,
      inFlight: 1,
      requests: 0,
      errors: 0,
      throttled: 0,
      dropped: 0,
      placed: 0,
      ended: 0,
      latency: { p50: 0, p90: 0, p99: 0, max: 0 },
      draining: true,
    })
    expect(line.startsWith('[draining 5s] target 0/s')).toBe(true)
  })
})
