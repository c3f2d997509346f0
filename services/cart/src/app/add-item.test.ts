import { describe, expect, it } from 'vitest'
import { createAddItem } from './add-item.js'
import { createClearCart } from './clear-cart.js'
import { fakeCartStore, fakeCatalog, fakePriceCopy } from './fakes-test-support.js'
import { createGetCart } from './get-cart.js'
import { createRemoveItem } from './remove-item.js'
import { createSettleOrderedLines } from './settle-ordered-lines.js'
import { createShowCart } from './show-cart.js'
import { createSweepIdleCarts } from './sweep-idle-carts.js'
import { createUpdateItem } from './update-item.js'

function setup() {
  let clock = new Date('2026-03-01T10:00:00Z')
  const now = () => clock
  const store = fakeCartStore()
  const catalog = fakeCatalog([
    { productId: 'a', name: 'Lamp', unitPrice: { amount: 1999, currency: 'USD' }, available: 10 },
  ])
  const prices = fakePriceCopy()
  const showCart = createShowCart({ prices, catalog, defaultCurrency: 'USD', now })
  const deps = { store, catalog, showCart, now }
  return {
    store,
    catalog,
    prices,
    advance: (ms: number) => (clock = new Date(clock.getTime() + ms)),
    getCart: createGetCart({ store, showCart }),
    addItem: createAddItem(deps),
    updateItem: createUpdateItem(deps),
    removeItem: createRemoveItem({ store, showCart, now }),
    clearCart: createClearCart({ store }),
    settle: createSettleOrderedLines({ store, now }),
    sweep: createSweepIdleCarts({ store, idleTtlMs: 30 * 86_400_000, now }),
  }
}
const rejects = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: { code: string }) => e.code,
  )

describe('cart use cases', () => {
  it('gives an empty cart, adds and merges at the catalog price', async () => {
    const s = setup()
    expect((await s.getCart('u1')).items).toEqual([])
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
    expect((await s.getCart('u2')).items).toEqual([])
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
    const read = await s.getCart('u1')
    expect(read).toMatchObject({ stale: true, itemCount: 1 })
    // removing needs no price: works while the catalog is down
    expect((await s.updateItem('u1', 'a', 0)).items).toEqual([])
  })

  it('updates quantities, 404 for an absent line, removes idempotently, clears', async () => {
    const s = setup()
    expect(await rejects(s.updateItem('u1', 'a', 2))).toBe('CART.LINE_NOT_FOUND')
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect((await s.updateItem('u1', 'a', 4)).itemCount).toBe(4)
    expect((await s.removeItem('u1', 'a')).items).toEqual([])
    expect((await s.removeItem('u1', 'a')).items).toEqual([])
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    await s.clearCart('u1')
    await s.clearCart('u1')
    expect(s.store.carts.has('u1')).toBe(false)
  })

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

  it('retries on a concurrent write instead of losing it', async () => {
    const s = setup()
    await Promise.all([1, 2, 3].map(() => s.addItem('u1', { productId: 'a', quantity: 2 })))
    expect((await s.getCart('u1')).itemCount).toBe(6)
  })

  it('shows a newer price from the copy, and sweeps idle carts', async () => {
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
    s.advance(29 * 86_400_000)
    expect(await s.sweep()).toBe(0)
    s.advance(2 * 86_400_000)
    expect(await s.sweep()).toBe(1)
  })

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
