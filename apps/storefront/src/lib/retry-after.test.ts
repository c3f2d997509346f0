import { describe, expect, it } from 'vitest'
import { withRetryAfter } from './retry-after'

const busy = (status: number, retryAfter?: number) =>
  Object.assign(new Error('busy'), { status, retryAfter })

describe('withRetryAfter', () => {
  it('waits what a 503 or 429 asked for and tries again, telling the page', async () => {
    const answers = [busy(503, 1), busy(429, 2), 'placed']
    const waits: number[] = []
    const told: Array<[number, number]> = []
    const result = await withRetryAfter(
      async () => {
        const next = answers.shift()
        if (next instanceof Error) throw next
        return next
      },
      {
        tries: 4,
        maxWaitSeconds: 10,
        onWait: (seconds, nextTry) => told.push([seconds, nextTry]),
        sleep: async (ms) => void waits.push(ms),
      },
    )
    expect(result).toBe('placed')
    expect(told).toEqual([
      [1, 2],
      [2, 3],
    ])
    expect(waits[0]).toBeGreaterThanOrEqual(1000)
    expect(waits[1]).toBeGreaterThanOrEqual(2000)
  })

  it('gives up after the tries, on a wait too long, and at once on any other failure', async () => {
    const sleep = async () => undefined
    let calls = 0
    const always = (error: Error) => async () => {
      calls++
      throw error
    }
    await expect(
      withRetryAfter(always(busy(503, 1)), { tries: 3, maxWaitSeconds: 10, sleep }),
    ).rejects.toMatchObject({ status: 503 })
    expect(calls).toBe(3)
    calls = 0
    await expect(
      withRetryAfter(always(busy(503, 60)), { tries: 3, maxWaitSeconds: 10, sleep }),
    ).rejects.toMatchObject({ status: 503 })
    expect(calls).toBe(1)
    calls = 0
    await expect(
      withRetryAfter(always(busy(503)), { tries: 3, maxWaitSeconds: 10, sleep }),
    ).rejects.toMatchObject({ status: 503 })
    expect(calls).toBe(1)
    calls = 0
    await expect(
      withRetryAfter(always(busy(422, 1)), { tries: 3, maxWaitSeconds: 10, sleep }),
    ).rejects.toMatchObject({ status: 422 })
    expect(calls).toBe(1)
    // Too many declined cards is the shopper's to hear, however short its wait.
    calls = 0
    const declines = Object.assign(busy(429, 2), { code: 'ORDERS.TOO_MANY_DECLINES' })
    await expect(
      withRetryAfter(always(declines), { tries: 3, maxWaitSeconds: 10, sleep }),
    ).rejects.toBe(declines)
    expect(calls).toBe(1)
  })
})
