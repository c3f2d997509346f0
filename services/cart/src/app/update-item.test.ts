import { describe, expect, it } from 'vitest'
import { rejects, setup } from './use-cases-test-support.js'

describe('updateItem', () => {
  it('sets a quantity, and answers 404 for a line the cart does not have', async () => {
    const s = setup()
    expect(await rejects(s.updateItem('u1', 'a', 2))).toBe('CART.LINE_NOT_FOUND')
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect((await s.updateItem('u1', 'a', 4)).itemCount).toBe(4)
  })

  it('removes a line at quantity 0 while the catalog is down, since that needs no price', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    s.catalog.down = true
    expect((await s.updateItem('u1', 'a', 0)).items).toEqual([])
  })
  it('tells no cart.started for a quantity set on a started cart, nor for its removal', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.updateItem('u1', 'a', 3)
    await s.updateItem('u1', 'a', 0)
    expect(s.store.started).toHaveLength(1)
  })
})
