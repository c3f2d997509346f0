import { describe, expect, it } from 'vitest'
import { rejects, setup } from './use-cases-test-support.js'

describe('addItem', () => {
  it('adds and merges at the catalog price', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    const cart = await s.addItem('u1', { productId: 'a', quantity: 3 })
    expect(cart.items).toEqual([
      expect.objectContaining({
        name: 'Lamp',
        quantity: 5,
        lineTotal: { amount: 9995, currency: 'USD' },
      }),
    ])
    expect(s.store.carts.get('u1')!.version).toBe(2)
  })

  it('maps the catalog: unknown product 404, over available 409, down 503', async () => {
    const s = setup()
    expect(await rejects(s.addItem('u1', { productId: 'zz', quantity: 1 }))).toBe(
      'CART.PRODUCT_NOT_FOUND',
    )
    expect(await rejects(s.addItem('u1', { productId: 'a', quantity: 11 }))).toBe(
      'CART.NOT_ENOUGH_STOCK',
    )
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    s.catalog.down = true
    expect(await rejects(s.addItem('u1', { productId: 'a', quantity: 1 }))).toBe(
      'CART.CATALOG_UNAVAILABLE',
    )
  })
  it('tells cart.started when its first line goes in, not on a later add or a refused one', async () => {
    const s = setup()
    expect(await rejects(s.addItem('u1', { productId: 'a', quantity: 11 }))).toBe(
      'CART.NOT_ENOUGH_STOCK',
    )
    expect(s.store.started).toEqual([])
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect(s.store.started).toEqual([
      { cartId: 'u1', guest: false, at: '2026-03-01T10:00:00.000Z' },
    ])
    // A guest's cart is told as a guest's.
    s.advance(60_000)
    await s.addItem('guest_9', { productId: 'a', quantity: 2 })
    expect(s.store.started.at(-1)).toEqual({
      cartId: 'guest_9',
      guest: true,
      at: '2026-03-01T10:01:00.000Z',
    })
  })

  it('starts a cart again once it was emptied (removed, cleared or settled)', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.removeItem('u1', 'a')
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.clearCart('u1')
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.settle({ orderId: 'o1', userId: 'u1', lines: [{ productId: 'a', quantity: 1 }] })
    expect(s.store.started).toHaveLength(3)
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect(s.store.started).toHaveLength(4)
  })
})
