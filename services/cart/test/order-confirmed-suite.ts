import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
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
import type { StoredCart } from '../src/domain/cart.js'
import { onOrderConfirmed } from '../src/events/on-order-confirmed.js'
import { createSqlCartClear, createSqlCartStore } from '../src/infra/sql-cart-store.js'

/** An `order.confirmed` of `userId`, as orders publishes it. */
export function orderConfirmed(userId: string): EventEnvelope {
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
      lines: [
        {
          productId: 'p1',
          name: 'Lamp',
          unitPrice: { amount: 1999, currency: 'USD' },
          quantity: 1,
        },
      ],
      total: { amount: 1999, currency: 'USD' },
      at: new Date().toISOString(),
    },
  }
}

/** A one-line cart of `userId` at `version`, as the stores keep it. */
export function cartOf(userId: string, version = 1): StoredCart {
  const now = new Date().toISOString()
  return {
    userId,
    version,
    updatedAt: now,
    lines: [
      {
        productId: 'p1',
        name: 'Lamp',
        unitPrice: { amount: 1999, currency: 'USD' },
        quantity: 1,
        pricedAt: now,
      },
    ],
  }
}

/**
 * The `order.confirmed` consumer with the SQL cart store, in a real inbox transaction of the
 * database `open` gives (migrated): the clear commits, or rolls back, with the inbox row.
 */
export function clearOnConfirmSuite(name: string, open: () => Promise<Database>) {
  describe(`order.confirmed empties the cart: SQL store on ${name}`, () => {
    const log = createLogger({ service: 'cart', level: 'silent' })
    const handler = onOrderConfirmed({ cartsIn: (trx) => createSqlCartClear(trx) })
    let database: Database
    let store: CartStore
    let subscription: Subscription
    const user = (n: string) => `confirm-${randomUUID().slice(0, 8)}-${n}`

    beforeAll(async () => {
      database = await open()
      store = createSqlCartStore(database)
      subscription = createConsumerSubscription({
        consumer: 'cart',
        handlers: [on(orders.OrderConfirmed, handler)],
        database,
        log,
      })
    })

    it("empties that user's cart only; a redelivery is skipped by the inbox", async () => {
      const [buyer, other] = [user('buyer'), user('other')]
      await store.save(cartOf(buyer), 0)
      await store.save(cartOf(other), 0)
      const event = orderConfirmed(buyer)
      await subscription.handle(event, { attempt: 1 })
      expect(await store.get(buyer)).toBeUndefined()
      expect(await store.get(other)).toBeDefined()
      // The shopper fills a new cart; the same event again changes nothing.
      expect(await store.save(cartOf(buyer), 0)).toBe(true)
      await subscription.handle(event, { attempt: 2 })
      expect(await store.get(buyer)).toMatchObject({ version: 1 })
      // A confirmation of a user with no cart is fine.
      await subscription.handle(orderConfirmed(user('none')), { attempt: 1 })
    })

    it('rolls the clear back with the inbox row when the transaction fails', async () => {
      const buyer = user('rollback')
      await store.save(cartOf(buyer), 0)
      const event = orderConfirmed(buyer)
      const inbox = createInbox({ database, consumer: 'cart' })
      const data = event.data as { userId: string }
      await expect(
        inbox.handleOnce(event, async (trx) => {
          await handler(data, { trx, envelope: event })
          throw new Error('crash after the clear')
        }),
      ).rejects.toThrow('crash after the clear')
      expect(await store.get(buyer)).toBeDefined()
      // The retry finds no inbox row and clears.
      expect(await inbox.handleOnce(event, (trx) => handler(data, { trx, envelope: event }))).toBe(
        'handled',
      )
      expect(await store.get(buyer)).toBeUndefined()
    })
  })
}
