import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('clearCart', () => {
  it('deletes the cart, and clearing it again changes nothing', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.clearCart('u1')
    await s.clearCart('u1')
    expect(s.store.carts.has('u1')).toBe(false)
  })
})
