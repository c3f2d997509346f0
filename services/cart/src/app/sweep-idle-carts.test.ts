import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('sweepIdleCarts', () => {
  it('deletes carts idle past the time to live only', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    s.advance(29 * 86_400_000)
    expect(await s.sweep()).toBe(0)
    s.advance(2 * 86_400_000)
    expect(await s.sweep()).toBe(1)
  })
})
