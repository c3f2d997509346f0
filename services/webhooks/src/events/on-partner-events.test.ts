import { orders, type EventEnvelope } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import { onPartnerEvents } from './on-partner-events.js'

describe('partner events', () => {
  const envelope = (type: string, data: unknown): EventEnvelope => ({
    id: 'e1',
    type,
    version: 1,
    occurredAt: '2026-05-01T12:00:00.000Z',
    source: 'orders',
    correlationId: 'c1',
    causationId: null,
    data,
  })

  /** What the consumer of `type` stores for partners, from the event as its producer sends it. */
  async function bodyOf(type: string, data: unknown) {
    const bodies: string[] = []
    const fanOut = {
      async store(delivery: { body: string }) {
        bodies.push(delivery.body)
        return 1
      },
    }
    const handlers = onPartnerEvents({ fanOutIn: () => fanOut as never, now: () => new Date() })
    const consume = handlers.find((h) => h.event.type === type)!
    const event = envelope(type, data)
    const parsed = consume.event.parse(event)
    if (!parsed.ok) throw new Error(parsed.errors.join())
    await consume(parsed.data, { trx: {} as never, envelope: event })
    return JSON.parse(bodies[0]!) as { type: string; timestamp: string; data: object }
  }

  const confirmed = {
    orderId: 'o1',
    userId: 'guest_1',
    lines: [
      { productId: 'p1', name: 'Lamp', unitPrice: { amount: 1200, currency: 'USD' }, quantity: 1 },
    ],
    total: { amount: 1200, currency: 'USD' },
    orderLink: 'o1.1790000000.c2lnbmF0dXJl',
    cartVersion: 7,
    at: '2026-05-01T12:00:00.000Z',
  }

  it("never hands partners a guest's order link (a credential) or the cart's version", async () => {
    expect(orders.OrderConfirmed.parse(envelope('order.confirmed', confirmed)).ok).toBe(true)
    const body = await bodyOf('order.confirmed', confirmed)
    expect(body).toEqual({
      type: 'order.confirmed',
      timestamp: '2026-05-01T12:00:00.000Z',
      data: {
        orderId: 'o1',
        userId: 'guest_1',
        lines: confirmed.lines,
        total: confirmed.total,
        at: confirmed.at,
      },
    })
  })

  it('passes the other events as their producers send them', async () => {
    const { orderLink: _link, cartVersion: _version, ...placed } = confirmed
    expect((await bodyOf('order.placed', placed)).data).toEqual(placed)
  })
})
