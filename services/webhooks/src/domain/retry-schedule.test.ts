import { describe, expect, it } from 'vitest'
import { nextStep, parseRetryAfter } from './retry-schedule.js'

const schedule = { delaysMs: [5_000, 300_000, 1_800_000], jitter: 0, random: () => 0.5 }

describe('nextStep', () => {
  it('delivers on any 2xx', () => {
    expect(nextStep({ kind: 'answered', status: 200 }, 1, schedule)).toEqual({ kind: 'delivered' })
    expect(nextStep({ kind: 'answered', status: 204 }, 3, schedule)).toEqual({ kind: 'delivered' })
  })

  it('retries errors, 5xx and 429 along the schedule, then gives up', () => {
    expect(nextStep({ kind: 'error', error: 'timeout' }, 1, schedule)).toEqual({
      kind: 'retry',
      delayMs: 5_000,
    })
    expect(nextStep({ kind: 'answered', status: 503 }, 2, schedule)).toEqual({
      kind: 'retry',
      delayMs: 300_000,
    })
    expect(nextStep({ kind: 'answered', status: 429 }, 3, schedule)).toEqual({
      kind: 'retry',
      delayMs: 1_800_000,
    })
    expect(nextStep({ kind: 'answered', status: 500 }, 4, schedule)).toEqual({
      kind: 'failed',
      reason: 'exhausted',
    })
  })

  it('fails other 4xx and redirects at once', () => {
    for (const status of [301, 302, 400, 401, 404, 410, 422]) {
      expect(nextStep({ kind: 'answered', status }, 1, schedule)).toEqual({
        kind: 'failed',
        reason: 'not_retryable',
      })
    }
  })

  it('honours Retry-After when longer than the schedule, up to a day', () => {
    const answer = { kind: 'answered', status: 429, retryAfterMs: 60_000 } as const
    expect(nextStep(answer, 1, schedule)).toEqual({ kind: 'retry', delayMs: 60_000 })
    const long = { kind: 'answered', status: 503, retryAfterMs: 10 * 86_400_000 } as const
    expect(nextStep(long, 1, schedule)).toEqual({ kind: 'retry', delayMs: 86_400_000 })
  })

  it('draws each delay within the jitter', () => {
    const low = nextStep({ kind: 'error', error: 'x' }, 2, {
      ...schedule,
      jitter: 0.2,
      random: () => 0,
    })
    const high = nextStep({ kind: 'error', error: 'x' }, 2, {
      ...schedule,
      jitter: 0.2,
      random: () => 0.999999,
    })
    expect(low).toEqual({ kind: 'retry', delayMs: 240_000 })
    expect(high.kind === 'retry' && high.delayMs).toBeGreaterThan(359_000)
  })

  it('keeps the default schedule over 24 hours and at least 6 attempts', () => {
    const delays = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]
    expect(delays.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3_600_000)
    expect(delays.length + 1).toBeGreaterThanOrEqual(6)
  })
})

describe('parseRetryAfter', () => {
  const now = new Date('2026-12-04T00:00:00Z')
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000)
    expect(parseRetryAfter('Fri, 04 Dec 2026 00:01:00 GMT', now)).toBe(60_000)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })
})
