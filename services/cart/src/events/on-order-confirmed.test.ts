import { orders, type EventEnvelope } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import { fakeCartStore } from '../app/fakes-test-support.js'
import { onOrderConfirmed } from './on-order-confirmed.js'

// Contract: a fixture validated against the producer's schema, then handled.
const event: EventEnvelope = {
  id: 'e1',
  type: 'order.confirmed',
  version: 1,
  occurredAt: '2026-05-01T12:00:00.000Z',
  source: 'orders',
  correlationId: 'c1',
  causationId: 'e0',
  data: {
    orderId: 'o1',
    userId: 'u1',
    lines: [
      {
        productId: 'p1',
        name: 'Lamp',
        unitPrice: { amount: 1200, currency: 'USD' },
        quantity: 2,
      },
    ],
    total: { amount: 2400, currency: 'USD' },
    at: '2026-05-01T12:00:00.000Z',
    somethingNew: true,
  },
}

describe('order.confirmed consumer', () => {
  it("takes the order's lines out of the customer's cart with the store bound to the inbox transaction", async () => {
    const parsed = orders.OrderConfirmed.parse(event)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const trx = { name: 'the inbox transaction' } as never
    const at = new Date('2026-05-01T12:00:01.000Z')
    const line = (productId: string, quantity: number) => ({
      productId,
      name: productId,
      unitPrice: { amount: 1200, currency: 'USD' },
      quantity,
      pricedAt: '2026-05-01T11:00:00.000Z',
    })
    const store = fakeCartStore()
    // p1 × 3: the 2 ordered, 1 more added since; p2 added since.
    store.carts.set('u1', {
      userId: 'u1',
      version: 4,
      updatedAt: '2026-05-01T11:59:59.000Z',
      lines: [line('p1', 3), line('p2', 1)],
      settledOrderIds: [],
    })
    const bound: unknown[] = []
    const cartsIn = (handle: unknown) => (bound.push(handle), store)
    const handle = onOrderConfirmed({ cartsIn, now: () => at })
    await handle(parsed.data, { trx, envelope: event })
    expect(bound).toEqual([trx])
    expect(store.carts.get('u1')).toEqual({
      userId: 'u1',
      version: 5,
      updatedAt: at.toISOString(),
      lines: [line('p1', 1), line('p2', 1)],
      settledOrderIds: ['o1'],
    })
    // The same event again (a redelivery the inbox could not stop) subtracts nothing.
    await handle(parsed.data, { trx, envelope: event })
    expect(store.carts.get('u1')).toMatchObject({
      version: 5,
      lines: [line('p1', 1), line('p2', 1)],
    })
  })

  it('settles only the lines the cart held at the version the order tells (cartVersion)', async () => {
    const placed = { ...event, data: { ...(event.data as object), cartVersion: 4 } }
    const parsed = orders.OrderConfirmed.parse(placed)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const at = new Date('2026-05-01T12:00:01.000Z')
    const store = fakeCartStore()
    // p1 was taken out and added again at version 6, after the order's snapshot at 4.
    store.carts.set('u1', {
      userId: 'u1',
      version: 6,
      updatedAt: '2026-05-01T11:59:59.000Z',
      lines: [
        {
          productId: 'p1',
          name: 'p1',
          unitPrice: { amount: 1200, currency: 'USD' },
          quantity: 2,
          pricedAt: '2026-05-01T11:59:59.000Z',
          since: 6,
        },
      ],
      settledOrderIds: [],
    })
    const handle = onOrderConfirmed({ cartsIn: () => store, now: () => at })
    await handle(parsed.data, { trx: {} as never, envelope: placed })
    expect(store.carts.get('u1')).toMatchObject({ version: 6, lines: [{ quantity: 2, since: 6 }] })
  })
})
