import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('mutateCart', () => {
  it('retries on a concurrent write instead of losing it', async () => {
    const s = setup()
    await Promise.all([1, 2, 3].map(() => s.addItem('u1', { productId: 'a', quantity: 2 })))
    expect((await s.getCart('u1')).itemCount).toBe(6)
  })
  it('tells cart.started once when first adds race: only the write that found it empty', async () => {
    const s = setup()
    await Promise.all([1, 2, 3].map(() => s.addItem('u1', { productId: 'a', quantity: 1 })))
    expect(s.store.started.map((e) => e.cartId)).toEqual(['u1'])
  })
})
