import { AppError } from '@emporium/platform/app'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fakeCatalog, fakePriceCopy } from '../src/app/fakes-test-support.js'
import { createMergeCart } from '../src/app/merge-cart.js'
import type { CartStore } from '../src/app/ports.js'
import { createShowCart } from '../src/app/show-cart.js'
import type { StoredCart } from '../src/domain/cart.js'

export interface StoreUnderTest {
  store: CartStore
  /** Milliseconds the store says the cart has left, or undefined when it expires by sweeping. */
  ttlLeftMs(userId: string): Promise<number | undefined>
  close(): Promise<void>
}

const cart = (
  userId: string,
  version: number,
  quantity = 1,
  updatedAt = new Date(),
  settledOrderIds: string[] = [],
): StoredCart => ({
  userId,
  version,
  updatedAt: updatedAt.toISOString(),
  settledOrderIds,
  lines: [
    {
      productId: 'p1',
      name: 'Lamp',
      unitPrice: { amount: 1999, currency: 'USD' },
      quantity,
      pricedAt: updatedAt.toISOString(),
    },
  ],
})

/** One suite, every CartStore adapter: Redis and the SQL store (PGlite, PostgreSQL). */
export function cartStoreSuite(name: string, open: () => Promise<StoreUnderTest>, ttlMs: number) {
  describe(`CartStore conformance: ${name}`, () => {
    let subject: StoreUnderTest
    let store: CartStore
    const user = (n: string) => `u-${Date.now().toString(36)}-${n}`
    beforeAll(async () => {
      subject = await open()
      store = subject.store
    })
    afterAll(async () => subject?.close())

    it('has no cart for a new user, then stores and reads one back', async () => {
      const u = user('a')
      expect(await store.get(u)).toBeUndefined()
      const first = cart(u, 1)
      expect(await store.save(first, 0)).toBe(true)
      expect(await store.get(u)).toEqual(first)
    })

    it('stores the settled order ids with the lines, and replaces them on each write', async () => {
      const u = user('s')
      const first = cart(u, 1, 2, new Date(), ['o1', 'o2'])
      expect(await store.save(first, 0)).toBe(true)
      expect(await store.get(u)).toEqual(first)
      expect(await store.save(cart(u, 2, 1, new Date(), ['o2', 'o3']), 1)).toBe(true)
      expect(await store.get(u)).toMatchObject({ version: 2, settledOrderIds: ['o2', 'o3'] })
      // A failed compare-and-set writes neither.
      expect(await store.save(cart(u, 2, 9, new Date(), ['x']), 1)).toBe(false)
      expect(await store.get(u)).toMatchObject({
        lines: [{ quantity: 1 }],
        settledOrderIds: ['o2', 'o3'],
      })
    })

    it('writes only over the expected version', async () => {
      const u = user('b')
      await store.save(cart(u, 1), 0)
      expect(await store.save(cart(u, 1, 5), 0)).toBe(false)
      expect(await store.save(cart(u, 3, 5), 2)).toBe(false)
      expect(await store.save(cart(u, 2, 7), 1)).toBe(true)
      expect(await store.get(u)).toMatchObject({ version: 2, lines: [{ quantity: 7 }] })
    })

    it('lets exactly one of concurrent writers of a version win', async () => {
      const u = user('c')
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.save(cart(u, 1, i + 1), 0)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('keeps carts apart', async () => {
      const [a, b] = [user('d'), user('e')]
      await store.save(cart(a, 1, 2), 0)
      await store.save(cart(b, 1, 3), 0)
      expect(await store.get(a)).toMatchObject({ lines: [{ quantity: 2 }] })
      expect(await store.get(b)).toMatchObject({ lines: [{ quantity: 3 }] })
    })

    it('saveAll writes several carts together or none of them', async () => {
      const [a, b] = [user('sa'), user('sb')]
      await store.save(cart(a, 1, 2), 0)
      // b is expected absent but another write came first: a is not written either.
      await store.save(cart(b, 1, 9), 0)
      expect(
        await store.saveAll([
          { cart: cart(a, 2, 5), expectedVersion: 1 },
          { cart: cart(b, 1, 4), expectedVersion: 0 },
        ]),
      ).toBe(false)
      expect(await store.get(a)).toMatchObject({ version: 1, lines: [{ quantity: 2 }] })
      expect(await store.get(b)).toMatchObject({ version: 1, lines: [{ quantity: 9 }] })
      expect(
        await store.saveAll([
          { cart: cart(a, 2, 5), expectedVersion: 1 },
          { cart: { ...cart(b, 2), lines: [] }, expectedVersion: 1 },
        ]),
      ).toBe(true)
      expect(await store.get(a)).toMatchObject({ version: 2, lines: [{ quantity: 5 }] })
      expect(await store.get(b)).toMatchObject({ version: 2, lines: [] })
      // A new cart (expected version 0) is written with the others.
      const c = user('sc')
      expect(await store.saveAll([{ cart: cart(c, 1, 3), expectedVersion: 0 }])).toBe(true)
      expect(await store.get(c)).toMatchObject({ version: 1, lines: [{ quantity: 3 }] })
    })

    it('merges a guest cart into an account cart atomically: concurrent merges move it once', async () => {
      const [account, guest] = [user('ma'), `guest_${user('mg')}`]
      const line = (productId: string, quantity: number) => ({
        productId,
        variantId: productId,
        name: productId,
        unitPrice: { amount: 100, currency: 'USD' },
        quantity,
        pricedAt: new Date().toISOString(),
      })
      await store.save({ ...cart(account, 1), lines: [line('p1', 2)] }, 0)
      await store.save({ ...cart(guest, 1), lines: [line('p1', 3), line('p2', 4)] }, 0)
      const merge = createMergeCart({
        store,
        guests: {
          async guestOf(token) {
            if (token !== `token-of-${guest}`)
              throw new AppError('invalid', 'CART.INVALID_CART_TOKEN', 'bad')
            return guest
          },
        },
        showCart: createShowCart({
          prices: fakePriceCopy(),
          catalog: fakeCatalog(),
          defaultCurrency: 'USD',
          now: () => new Date(),
        }),
        now: () => new Date(),
      })
      // Several merges at once (a double click, two tabs): the guest's units arrive once.
      const results = await Promise.allSettled(
        Array.from({ length: 4 }, () => merge(account, `token-of-${guest}`)),
      )
      for (const result of results) {
        // Each either merged, found the guest cart emptied, or ran out of retries (409).
        if (result.status === 'rejected') {
          expect(result.reason).toMatchObject({ code: 'CART.CONCURRENT_UPDATE' })
        }
      }
      expect(results.filter((r) => r.status === 'fulfilled').length).toBeGreaterThan(0)
      const merged = await store.get(account)
      expect(merged!.lines.map((l) => [l.variantId, l.quantity])).toEqual([
        ['p1', 5],
        ['p2', 4],
      ])
      expect((await store.get(guest))!.lines).toEqual([])
      // Again: nothing changes.
      const again = await merge(account, `token-of-${guest}`)
      expect(again).toMatchObject({ mergedLines: 0, itemCount: 9 })
      expect((await store.get(account))!.version).toBe(merged!.version)
    })

    it('expires idle carts: a TTL refreshed by writes, or a sweep of carts idle too long', async () => {
      const u = user('f')
      const old = new Date(Date.now() - ttlMs - 60_000)
      await store.save(cart(u, 1, 1, old), 0)
      const left = await subject.ttlLeftMs(u)
      if (left === undefined) {
        const fresh = user('g')
        await store.save(cart(fresh, 1), 0)
        expect(await store.sweepIdle(new Date(Date.now() - ttlMs))).toBeGreaterThanOrEqual(1)
        expect(await store.get(u)).toBeUndefined()
        expect(await store.get(fresh)).toBeDefined()
      } else {
        expect(left).toBeGreaterThan(ttlMs - 60_000)
        expect(left).toBeLessThanOrEqual(ttlMs)
        expect(await store.sweepIdle(new Date())).toBe(0)
      }
    })
  })
}
