import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('clearCart', () => {
  it('empties the cart in a write, and clearing it again (or a cart never written) writes nothing', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.clearCart('u1')
    expect(s.store.carts.get('u1')).toMatchObject({ lines: [], version: 2 })
    await s.clearCart('u1')
    expect(s.store.carts.get('u1')!.version).toBe(2)
    await s.clearCart('u2')
    expect(s.store.carts.has('u2')).toBe(false)
  })

  it('keeps counting versions, so an order placed before it settles none of the lines added after', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    const placedFrom = (await s.getCart('u1')).version
    await s.clearCart('u1')
    await s.addItem('u1', { productId: 'a', quantity: 1 }) // the product wanted again
    const order = { orderId: 'o1', userId: 'u1', lines: [{ productId: 'a', quantity: 1 }] }
    expect(await s.settle({ ...order, cartVersion: placedFrom })).toBe('nothing_to_settle')
    expect((await s.getCart('u1')).itemCount).toBe(1)
  })
})
