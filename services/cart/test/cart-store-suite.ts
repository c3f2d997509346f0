import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CartStore } from '../src/app/ports.js'
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

    it('keeps carts apart and deletes one (idempotently)', async () => {
      const [a, b] = [user('d'), user('e')]
      await store.save(cart(a, 1, 2), 0)
      await store.save(cart(b, 1, 3), 0)
      await store.delete(a)
      await store.delete(a)
      expect(await store.get(a)).toBeUndefined()
      expect(await store.get(b)).toMatchObject({ lines: [{ quantity: 3 }] })
      expect(await store.save(cart(a, 1), 0)).toBe(true)
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
