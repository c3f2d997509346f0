import { describe, expect, it } from 'vitest'
import { afterFailure, retryDelayMs } from './send-retry.js'

describe('send retries', () => {
  it('backs off exponentially up to a ceiling', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n))).toEqual([5_000, 10_000, 20_000, 40_000])
    expect(retryDelayMs(30)).toBe(15 * 60_000)
  })

  it('gives up after the last attempt', () => {
    expect(afterFailure(1, 3)).toEqual({ kind: 'retry', delayMs: 5_000 })
    expect(afterFailure(2, 3)).toEqual({ kind: 'retry', delayMs: 10_000 })
    expect(afterFailure(3, 3)).toEqual({ kind: 'give_up' })
    expect(afterFailure(1, 1)).toEqual({ kind: 'give_up' })
  })
})
