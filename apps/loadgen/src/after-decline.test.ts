import { describe, expect, it } from 'vitest'
import { chooseAfterDecline, maxRetriesAfterDecline } from './after-decline.js'
import { createRandom } from './random.js'

describe('chooseAfterDecline', () => {
  it('retries with the given share and cancels otherwise', () => {
    expect(chooseAfterDecline(() => 0.69, 70, 0)).toBe('retry')
    expect(chooseAfterDecline(() => 0.7, 70, 0)).toBe('cancel')
    expect(chooseAfterDecline(() => 0, 0, 0)).toBe('cancel')
    expect(chooseAfterDecline(() => 0.999, 100, 0)).toBe('retry')
  })

  it('comes close to the share over many shoppers', () => {
    const random = createRandom(7)
    let retries = 0
    for (let i = 0; i < 10_000; i++) if (chooseAfterDecline(random, 70, 0) === 'retry') retries++
    expect(retries / 10_000).toBeGreaterThan(0.67)
    expect(retries / 10_000).toBeLessThan(0.73)
  })

  it('cancels once an order has been paid again as often as a shopper would', () => {
    expect(chooseAfterDecline(() => 0, 100, maxRetriesAfterDecline - 1)).toBe('retry')
    expect(chooseAfterDecline(() => 0, 100, maxRetriesAfterDecline)).toBe('cancel')
  })
})
