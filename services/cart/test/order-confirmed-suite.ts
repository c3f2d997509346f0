import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import { orders } from '@emporium/contracts'
import {
  createConsumerSubscription,
  createInbox,
  createLogger,
  on,
  type Database,
  type Subscription,
} from '@emporium/platform'
import type { CartStore } from '../src/app/ports.js'
import { createSettleOrderedLines, type ConfirmedOrder } from '../src/app/settle-ordered-lines.js'
import type { CartLine, StoredCart } from '../src/domain/cart.js'
import { onOrderConfirmed, type CartsIn } from '../src/events/on-order-confirmed.js'

/** Product id → quantity, in order. */
type Quantities = Array<[productId: string, quantity: number]>

/** An `order.confirmed` of `userId` for `lines` (default one p1), as orders publishes it. */
export function orderConfirmed(userId: string, lines: Quantities = [['p1', 1]]): EventEnvelope {
  return {
    id: randomUUID(),
    type: 'order.confirmed',
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'orders',
    correlationId: randomUUID(),
    causationId: null,
    data: {
      orderId: randomUUID(),
      userId,
      lines: lines.map(([productId, quantity]) => ({
        productId,
        name: `Product ${productId}`,
        unitPrice: { amount: 1999, currency: 'USD' },
        quantity,
      })),
      total: { amount: 1999 * lines.reduce((n, [, q]) => n + q, 0), currency: 'USD' },
      at: new Date().toISOString(),
    },
  }
}

export function linesOf(quantities: Quantities, at = new Date().toISOString()): CartLine[] {
  return quantities.map(([productId, quantity]) => ({
    productId,
    name: `Product ${productId}`,
    unitPrice: { amount: 1999, currency: 'USD' },
    quantity,
    pricedAt: at,
  }))
}

/** A cart of `userId` at `version` (default: one p1), as the stores keep it. */
export function cartOf(userId: string, version = 1, lines: Quantities = [['p1', 1]]): StoredCart {
  const now = new Date().toISOString()
  return { userId, version, updatedAt: now, lines: linesOf(lines, now), settledOrderIds: [] }
}

export interface SettleUnderTest {
  /** The carts as the shopper's requests reach them (outside any transaction). */
  store: CartStore
  /** How the service binds carts for the consumer: SQL in the inbox transaction, Redis alone. */
  cartsIn: CartsIn
  /** The database of the consumer's inbox. */
  database: Database
  /** Stores a cart the way the code did before carts had a settled list. */
  storeLegacyCart(userId: string, lines: CartLine[]): Promise<void>
  close(): Promise<void>
}

/**
 * The `order.confirmed` consumer against a real cart store and a real inbox: an order takes out
 * its own lines and nothing else, once, whatever the redeliveries (the inbox's, or a crash
 * between the cart's write and the inbox commit, which only Redis can see).
 */
export function settleOnConfirmSuite(name: string, open: () => Promise<SettleUnderTest>) {
  describe(`order.confirmed settles the order's lines: ${name}`, () => {
    const log = createLogger({ service: 'cart', level: 'silent' })
    let subject: SettleUnderTest
    let store: CartStore
    let handler: ReturnType<typeof onOrderConfirmed>
    let subscription: Subscription
    const now = () => new Date()
    const user = (n: string) => `confirm-${randomUUID().slice(0, 8)}-${n}`
    const quantities = async (userId: string) =>
      (await store.get(userId))?.lines.map((l) => [l.productId, l.quantity])
    const dataOf = (event: EventEnvelope) => event.data as ConfirmedOrder

    beforeAll(async () => {
      subject = await open()
      store = subject.store
      handler = onOrderConfirmed({ cartsIn: subject.cartsIn, now })
      subscription = createConsumerSubscription({
        consumer: 'cart',
        handlers: [on(orders.OrderConfirmed, handler)],
        database: subject.database,
        log,
      })
    })
    afterAll(async () => subject?.close())

    it("takes out the order's lines only: what was added after the order stays", async () => {
      const [buyer, other] = [user('buyer'), user('other')]
      // Ordered: p1 × 2 and p2 × 1. Since then the shopper added p3 and one more p1.
      await store.save(
        cartOf(buyer, 1, [
          ['p1', 3],
          ['p2', 1],
          ['p3', 4],
        ]),
        0,
      )
      await store.save(cartOf(other, 1, [['p1', 2]]), 0)
      const event = orderConfirmed(buyer, [
        ['p1', 2],
        ['p2', 1],
      ])
      await subscription.handle(event, { attempt: 1 })
      expect(await store.get(buyer)).toMatchObject({
        version: 2,
        settledOrderIds: [dataOf(event).orderId],
      })
      expect(await quantities(buyer)).toEqual([
        ['p1', 1],
        ['p3', 4],
      ])
      expect(await quantities(other)).toEqual([['p1', 2]])
      // The inbox skips a redelivery; a confirmation for a user with no cart writes nothing.
      await subscription.handle(event, { attempt: 2 })
      expect(await store.get(buyer)).toMatchObject({ version: 2 })
      const nobody = user('none')
      await subscription.handle(orderConfirmed(nobody), { attempt: 1 })
      expect(await store.get(nobody)).toBeUndefined()
    })

    it('leaves a cart with just what the order bought empty, kept with its settled list', async () => {
      const buyer = user('exact')
      await store.save(cartOf(buyer, 1, [['p1', 2]]), 0)
      await subscription.handle(orderConfirmed(buyer, [['p1', 2]]), { attempt: 1 })
      expect(await store.get(buyer)).toMatchObject({ version: 2, lines: [] })
    })

    it('subtracts once when the same confirmation is applied twice without the inbox', async () => {
      const buyer = user('twice')
      await store.save(
        cartOf(buyer, 1, [
          ['p1', 3],
          ['p2', 1],
        ]),
        0,
      )
      const data = dataOf(orderConfirmed(buyer, [['p1', 2]]))
      const settle = createSettleOrderedLines({ store, now })
      expect(await settle(data)).toBe('settled')
      expect(await settle(data)).toBe('already_settled')
      expect(await quantities(buyer)).toEqual([
        ['p1', 1],
        ['p2', 1],
      ])
      expect(await store.get(buyer)).toMatchObject({ version: 2 })
    })

    it('subtracts once after a crash between the cart write and the inbox commit', async () => {
      const buyer = user('crash')
      await store.save(
        cartOf(buyer, 1, [
          ['p1', 3],
          ['p2', 1],
        ]),
        0,
      )
      const event = orderConfirmed(buyer, [['p1', 2]])
      const inbox = createInbox({ database: subject.database, consumer: 'cart' })
      await expect(
        inbox.handleOnce(event, async (trx) => {
          await handler(dataOf(event), { trx, envelope: event })
          throw new Error('crash before the inbox commit')
        }),
      ).rejects.toThrow('crash before the inbox commit')
      // SQL rolled the change back with the inbox row; Redis kept it. Either way, the
      // redelivery finds no inbox row, runs again, and the order is subtracted once in all.
      const redelivered = await inbox.handleOnce(event, (trx) =>
        handler(dataOf(event), { trx, envelope: event }),
      )
      expect(redelivered).toBe('handled')
      expect(await quantities(buyer)).toEqual([
        ['p1', 1],
        ['p2', 1],
      ])
      expect((await store.get(buyer))?.settledOrderIds).toEqual([dataOf(event).orderId])
    })

    it('leaves the cart alone when the shopper already took the ordered lines out', async () => {
      const buyer = user('removed')
      const before = cartOf(buyer, 1, [['p9', 1]])
      await store.save(before, 0)
      await subscription.handle(orderConfirmed(buyer, [['p1', 2]]), { attempt: 1 })
      expect(await store.get(buyer)).toEqual(before)
    })

    it('keeps a shopper add that lands between the read and the write of the settlement', async () => {
      const buyer = user('race')
      await store.save(cartOf(buyer, 1, [['p1', 2]]), 0)
      let raced = false
      const racing: CartStore = {
        ...store,
        async save(cart, expectedVersion) {
          if (!raced) {
            raced = true // the shopper's add commits first
            const current = (await store.get(buyer))!
            const added = {
              ...current,
              version: 2,
              lines: linesOf([
                ['p1', 2],
                ['p4', 1],
              ]),
            }
            expect(await store.save(added, 1)).toBe(true)
          }
          return store.save(cart, expectedVersion)
        },
      }
      const data = dataOf(orderConfirmed(buyer, [['p1', 2]]))
      expect(await createSettleOrderedLines({ store: racing, now })(data)).toBe('settled')
      expect(await store.get(buyer)).toMatchObject({ version: 3, settledOrderIds: [data.orderId] })
      expect(await quantities(buyer)).toEqual([['p4', 1]])
    })

    it('reads a cart stored before the settled list as having none, and settles it', async () => {
      const buyer = user('legacy')
      await subject.storeLegacyCart(
        buyer,
        linesOf([
          ['p1', 1],
          ['p2', 2],
        ]),
      )
      expect(await store.get(buyer)).toMatchObject({ version: 1, settledOrderIds: [] })
      const event = orderConfirmed(buyer, [['p2', 2]])
      await subscription.handle(event, { attempt: 1 })
      expect(await store.get(buyer)).toMatchObject({
        version: 2,
        settledOrderIds: [dataOf(event).orderId],
      })
      expect(await quantities(buyer)).toEqual([['p1', 1]])
    })
  })
}
