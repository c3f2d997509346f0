import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('getCart', () => {
  it('gives an empty cart to a shopper who has none', async () => {
    const s = setup()
    expect((await s.getCart('u1')).items).toEqual([])
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    expect((await s.getCart('u2')).items).toEqual([])
  })

  it('reads the cart while the catalog is down, marked stale', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    s.catalog.down = true
    expect(await s.getCart('u1')).toMatchObject({ stale: true, itemCount: 1 })
  })
})
