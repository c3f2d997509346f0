import { AppError } from '@emporium/platform/app'
import { describe, expect, it } from 'vitest'
import type { CartStore, GuestTokens } from './ports.js'
import { createMergeCart } from './merge-cart.js'
import { rejects, setup } from './use-cases-test-support.js'

/** Tokens `cart:<guest id>` name that guest; any other is refused as the real adapter does. */
const guests: GuestTokens = {
  async guestOf(token) {
    if (!token?.startsWith('cart:')) {
      throw new AppError('invalid', 'CART.INVALID_CART_TOKEN', 'The cart token is not valid.')
    }
    return token.slice('cart:'.length)
  },
}

function mergeSetup(store?: Pick<CartStore, 'get' | 'saveAll'>) {
  const s = setup()
  s.catalog.byId.set('b', {
    productId: 'b',
    name: 'Vase',
    unitPrice: { amount: 500, currency: 'USD' },
    available: 50,
  })
  const now = () => new Date('2026-03-01T11:00:00Z')
  const merge = createMergeCart({ store: store ?? s.store, guests, showCart: s.showCart, now })
  return { ...s, merge }
}

describe('mergeCart', () => {
  it("moves the guest's lines into the account's cart and empties the guest's, once", async () => {
    const s = mergeSetup()
    await s.addItem('u1', { productId: 'a', quantity: 2 })
    await s.addItem('guest_1', { productId: 'a', quantity: 3 })
    await s.addItem('guest_1', { productId: 'b', quantity: 1 })
    const merged = await s.merge('u1', 'cart:guest_1')
    expect(merged.items.map((i) => [i.productId, i.quantity])).toEqual([
      ['a', 5],
      ['b', 1],
    ])
    expect(merged).toMatchObject({ mergedLines: 2, notMerged: [], itemCount: 6 })
    expect((await s.getCart('guest_1')).items).toEqual([])
    const version = s.store.carts.get('u1')!.version
    // The account's line keeps the version that put it there; the guest's new line is the
    // merge's own (an order placed from the account's cart before the merge settles a only).
    expect(s.store.carts.get('u1')!.lines.map((l) => [l.productId, l.since])).toEqual([
      ['a', 1],
      ['b', version],
    ])
    // Again: the guest's cart is empty, nothing is written, the account's cart is answered.
    const again = await s.merge('u1', 'cart:guest_1')
    expect(again).toMatchObject({ mergedLines: 0, notMerged: [], itemCount: 6 })
    expect(s.store.carts.get('u1')!.version).toBe(version)
  })

  it("tells no cart.started for the account's cart it fills: the guest's cart was told", async () => {
    const s = mergeSetup()
    await s.addItem('guest_1', { productId: 'a', quantity: 3 })
    await s.merge('u1', 'cart:guest_1')
    expect((await s.getCart('u1')).itemCount).toBe(3)
    expect(s.store.started.map((e) => e.cartId)).toEqual(['guest_1'])
  })

  it('reports what does not fit and still empties the guest cart', async () => {
    const s = mergeSetup()
    s.catalog.byId.get('a')!.available = 200
    await s.addItem('u1', { productId: 'a', quantity: 98 })
    await s.addItem('guest_2', { productId: 'a', quantity: 4 })
    const merged = await s.merge('u1', 'cart:guest_2')
    expect(merged.items[0]!.quantity).toBe(99)
    expect(merged.notMerged).toEqual([
      { productId: 'a', variantId: 'a', name: 'Lamp', quantity: 3, reason: 'quantity_limit' },
    ])
    expect(s.store.carts.get('guest_2')!.lines).toEqual([])
  })

  it('a guest without a cart changes nothing; a bad token is refused before any read', async () => {
    const s = mergeSetup()
    await s.addItem('u1', { productId: 'a', quantity: 1 })
    expect(await s.merge('u1', 'cart:guest_none')).toMatchObject({ itemCount: 1, mergedLines: 0 })
    expect(await rejects(s.merge('u1', 'forged'))).toBe('CART.INVALID_CART_TOKEN')
    expect(await rejects(s.merge('u1', undefined))).toBe('CART.INVALID_CART_TOKEN')
  })

  it('starts over on the newer carts when another write came first', async () => {
    const s = mergeSetup()
    await s.addItem('guest_3', { productId: 'a', quantity: 1 })
    let raced = false
    const racing: Pick<CartStore, 'get' | 'saveAll'> = {
      get: (id) => s.store.get(id),
      async saveAll(writes) {
        if (!raced) {
          // The shopper adds in another tab between the merge's read and its write.
          raced = true
          await s.addItem('u1', { productId: 'b', quantity: 2 })
        }
        return s.store.saveAll(writes)
      },
    }
    const merge = createMergeCart({
      store: racing,
      guests,
      showCart: s.showCart,
      now: () => new Date(),
    })
    const merged = await merge('u1', 'cart:guest_3')
    expect(merged.items.map((i) => [i.productId, i.quantity])).toEqual([
      ['b', 2],
      ['a', 1],
    ])
    expect(s.store.carts.get('guest_3')!.lines).toEqual([])
  })
})
