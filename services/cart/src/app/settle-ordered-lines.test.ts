import { describe, expect, it } from 'vitest'
import { setup } from './use-cases-test-support.js'

describe('settleOrderedLines', () => {
  it('settles a confirmed order: its lines go, a later add stays, a repeat changes nothing', async () => {
    const s = setup()
    s.catalog.byId.set('b', { ...s.catalog.byId.get('a')!, productId: 'b', name: 'Mug' })
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    await s.addItem('u1', { productId: 'b', quantity: 1 }) // after the order was placed
    const order = { orderId: 'o1', userId: 'u1', lines: [{ productId: 'a', quantity: 2 }] }
    expect(await s.settle(order)).toBe('settled')
    const after = s.store.carts.get('u1')!
    expect(after).toMatchObject({ version: 3, settledOrderIds: ['o1'] })
    expect(after.lines.map((l) => [l.productId, l.quantity])).toEqual([['b', 1]])
    expect(await s.settle(order)).toBe('already_settled')
    expect(s.store.carts.get('u1')!.version).toBe(3)
    // Later edits keep the settled list.
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect(s.store.carts.get('u1')!.settledOrderIds).toEqual(['o1'])
    expect(await s.settle(order)).toBe('already_settled')
    // No cart: nothing is written.
    expect(await s.settle({ ...order, userId: 'u2' })).toBe('nothing_to_settle')
    expect(s.store.carts.has('u2')).toBe(false)
  })

  it('leaves whole a line added again after the order was placed (the cart version it was placed from)', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    const placedFrom = (await s.getCart('u1')).version // the order's snapshot
    // Before the confirmation is settled, the shopper takes the line out and adds it again.
    await s.removeItem('u1', 'a')
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    const order = {
      orderId: 'o1',
      userId: 'u1',
      lines: [{ productId: 'a', quantity: 1 }],
      cartVersion: placedFrom,
    }
    expect(await s.settle(order)).toBe('nothing_to_settle')
    expect(s.store.carts.get('u1')!.lines.map((l) => [l.productId, l.quantity])).toEqual([['a', 1]])
    // An order that does not tell its cart version settles that line, as before.
    expect(await s.settle({ ...order, orderId: 'o2', cartVersion: undefined })).toBe('settled')
    expect(s.store.carts.get('u1')!.lines).toEqual([])
  })

  it('still takes the ordered units out of a line the shopper added to after placing', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    const placedFrom = (await s.getCart('u1')).version
    await s.addItem('u1', { productId: 'a', quantity: 1 }) // the same line, one more unit
    await s.updateItem('u1', 'a', 4) // and a quantity set: still that line
    const order = { orderId: 'o1', userId: 'u1', lines: [{ productId: 'a', quantity: 2 }] }
    expect(await s.settle({ ...order, cartVersion: placedFrom })).toBe('settled')
    expect(s.store.carts.get('u1')!.lines.map((l) => [l.productId, l.quantity])).toEqual([['a', 2]])
  })

  it('settles on the newer cart when the shopper adds at the same moment', async () => {
    const s = setup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    const save = s.store.save.bind(s.store)
    let raced = false
    s.store.save = async (cart, expected) => {
      if (!raced) {
        raced = true // the shopper's add lands between the settlement's read and its write
        await s.addItem('u1', { productId: 'a', quantity: 3 })
      }
      return save(cart, expected)
    }
    await s.settle({ orderId: 'o1', userId: 'u1', lines: [{ productId: 'a', quantity: 2 }] })
    expect(s.store.carts.get('u1')!.lines[0]!.quantity).toBe(3)
  })
})
