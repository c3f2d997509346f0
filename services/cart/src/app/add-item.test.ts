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
})
