import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('showCart', () => {
  it('reads the price copy for the other lines only when adding or setting a line', async () => {
    const s = setup()
    s.catalog.byId.set('b', { ...s.catalog.byId.get('a')!, productId: 'b', name: 'Mug' })
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect(s.prices.lookups).toEqual([]) // the catalog just priced the only line
    await s.addItem('u1', { productId: 'b', quantity: 1 })
    await s.updateItem('u1', 'a', 3)
    expect(s.prices.lookups).toEqual([['a'], ['b']])
    await s.getCart('u1')
    expect(s.prices.lookups.at(-1)).toEqual(['a', 'b'])
  })

  it('shows a newer price from the copy', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    s.prices.entries.set('a', {
      productId: 'a',
      name: 'Lamp',
      price: { amount: 1500, currency: 'USD' },
      deleted: false,
      asOf: '2026-03-02T00:00:00Z',
    })
    expect(await s.getCart('u1')).toMatchObject({ subtotal: { amount: 3000 }, priceChanged: true })
  })
})
