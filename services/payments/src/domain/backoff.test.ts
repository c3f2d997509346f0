import { describe, expect, it } from 'vitest'
import { backoffDelayMs } from './backoff.js'

describe('backoffDelayMs', () => {
  const options = { baseMs: 200, capMs: 5_000 }

  it('doubles per attempt within half and all of the step', () => {
    for (const [attempt, step] of [
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1600],
    ] as const) {
      expect(backoffDelayMs(attempt, { ...options, random: () => 0 })).toBe(step / 2)
      expect(backoffDelayMs(attempt, { ...options, random: () => 0.999999 })).toBeLessThanOrEqual(
        step,
      )
    }
  })

  it('never exceeds the cap, however many attempts', () => {
    for (const attempt of [6, 10, 100, 10_000]) {
      const delay = backoffDelayMs(attempt, { ...options, random: () => 0.999999 })
      expect(delay).toBeLessThanOrEqual(5_000)
      expect(delay).toBeGreaterThanOrEqual(2_500)
    }
  })

  it('is zero with a zero base (tests)', () => {
    expect(backoffDelayMs(3, { baseMs: 0, capMs: 5_000, random: Math.random })).toBe(0)
  })
})
