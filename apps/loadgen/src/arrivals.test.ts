import { describe, expect, it } from 'vitest'
import { createArrivals, expectedArrivals, timeOfArrivals, type ArrivalPlan } from './arrivals.js'
import { createRandom } from './random.js'

const all = (next: () => number | undefined) => {
  const times: number[] = []
  for (let t = next(); t !== undefined; t = next()) times.push(t)
  return times
}

describe('arrival schedule', () => {
  it('spaces uniform arrivals evenly at full rate', () => {
    const plan: ArrivalPlan = { rate: 4, durationSeconds: 2, rampSeconds: 0, process: 'uniform' }
    expect(all(createArrivals(plan, createRandom(1)))).toEqual([
      0.125, 0.375, 0.625, 0.875, 1.125, 1.375, 1.625, 1.875,
    ])
  })

  it('ramps linearly: half the arrivals of full rate during the ramp, then the full rate', () => {
    const plan: ArrivalPlan = { rate: 10, durationSeconds: 20, rampSeconds: 10, process: 'uniform' }
    const times = all(createArrivals(plan, createRandom(1)))
    expect(times.length).toBe(150) // 10 × 10 / 2 during the ramp + 10 × 10 after
    expect(times.filter((t) => t < 10).length).toBe(50)
    expect(times.filter((t) => t < 5).length).toBe(12) // 10 × 5² / (2 × 10) = 12.5 units: 0.5 … 11.5
    expect(times.filter((t) => t >= 19).length).toBe(10)
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!)
  })

  it('keeps the average rate with poisson arrivals, and varies the gaps', () => {
    const plan: ArrivalPlan = { rate: 50, durationSeconds: 200, rampSeconds: 0, process: 'poisson' }
    const times = all(createArrivals(plan, createRandom(3)))
    expect(times.length / 10_000).toBeCloseTo(1, 1)
    const gaps = times.slice(1).map((t, i) => t - times[i]!)
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length
    const sd = Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / gaps.length)
    expect(mean).toBeCloseTo(0.02, 3)
    expect(sd / mean).toBeGreaterThan(0.9) // exponential gaps: sd equals the mean
  })

  it('inverts the cumulative rate', () => {
    const plan: ArrivalPlan = { rate: 3, durationSeconds: 100, rampSeconds: 7, process: 'uniform' }
    for (const t of [0, 1, 3.5, 7, 8, 50]) {
      expect(timeOfArrivals(plan, expectedArrivals(plan, t))).toBeCloseTo(t, 9)
    }
  })

  it('has no arrivals at a zero rate', () => {
    const plan: ArrivalPlan = { rate: 0, durationSeconds: 10, rampSeconds: 0, process: 'poisson' }
    expect(createArrivals(plan, createRandom(1))()).toBeUndefined()
  })
})
