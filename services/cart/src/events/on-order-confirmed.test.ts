import { orders, type EventEnvelope } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
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
  it("empties the customer's cart with the store bound to the inbox transaction", async () => {
    const parsed = orders.OrderConfirmed.parse(event)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    const trx = { name: 'the inbox transaction' } as never
    const deleted: Array<{ userId: string; trx: unknown }> = []
    const cartsIn = (bound: unknown) => ({
      delete: async (userId: string) => void deleted.push({ userId, trx: bound }),
    })
    await onOrderConfirmed({ cartsIn })(parsed.data, { trx, envelope: event })
    expect(deleted).toEqual([{ userId: 'u1', trx }])
  })
})
