import type { EventEnvelope } from '@emporium/contracts'
import type { EventHandler } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import type { CartFact, PaymentFact, Projections } from '../src/app/ports.js'
import { onAuditRecorded } from '../src/events/on-audit-recorded.js'
import { onCartStarted } from '../src/events/on-cart-started.js'
import { onOrderConfirmed } from '../src/events/on-order-events.js'
import { onPaymentCaptured, onPaymentRefunded } from '../src/events/on-payment-events.js'
import { onTimelineEvents } from '../src/events/on-timeline-events.js'

/** Projections that remember what they were told. */
function recording() {
  const told = {
    timeline: [] as Array<{ id: string; orderId: string }>,
    payments: [] as PaymentFact[],
    confirmed: [] as unknown[],
    audit: [] as string[],
    carts: [] as CartFact[],
  }
  const onTimeline = (
    events: ReadonlyArray<{ envelope: EventEnvelope; fact: { orderId: string } }>,
  ) =>
    told.timeline.push(
      ...events.map(({ envelope, fact }) => ({ id: envelope.id, orderId: fact.orderId })),
    )
  const projections: Projections = {
    timeline: async (events) => void onTimeline(events),
    ordersPlaced: async (events) => void onTimeline(events),
    ordersConfirmed: async (events) => {
      onTimeline(events)
      told.confirmed.push(...events.map((event) => event.fact))
    },
    ordersCancelled: async (events) => void onTimeline(events),
    cartsStarted: async (carts) => void told.carts.push(...carts),
    payments: async (events) => {
      onTimeline(events)
      told.payments.push(...events.map((event) => event.fact))
    },
    audit: async (events) => {
      told.audit.push(...events.map((event) => event.envelope.id))
      for (const { envelope, orderId } of events) {
        if (orderId !== null) told.timeline.push({ id: envelope.id, orderId })
      }
    },
  }
  return { told, projectionsIn: () => projections }
}

const envelope = (type: string, data: unknown): EventEnvelope => ({
  id: `evt-${type}`,
  type,
  version: 1,
  occurredAt: '2026-03-01T10:00:00.000Z',
  source: 'test',
  correlationId: 'c',
  data,
})

const apply = async (declared: EventHandler<any>, type: string, data: unknown) =>
  declared.handle(data, { trx: {} as never, envelope: envelope(type, data) })

const payment = {
  paymentId: 'pay-1',
  orderId: 'o1',
  userId: 'u1',
  amount: { amount: 700, currency: 'EUR' },
  last4: '4242',
  at: '2026-03-01T10:00:00.000Z',
}

describe('reporting consumers', () => {
  it('keys a capture by its payment, a refund by its refund id, a whole refund by its payment', async () => {
    const { told, projectionsIn } = recording()
    await apply(onPaymentCaptured({ projectionsIn }), 'payment.captured', payment)
    await apply(onPaymentRefunded({ projectionsIn }), 'payment.refunded', {
      ...payment,
      refundId: 'r-9',
      amount: { amount: 200, currency: 'EUR' },
    })
    await apply(onPaymentRefunded({ projectionsIn }), 'payment.refunded', {
      ...payment,
      amount: { amount: 500, currency: 'EUR' },
    })
    expect(told.payments).toMatchObject([
      { key: 'capture:pay-1', kind: 'capture', amount: 700, currency: 'EUR', orderId: 'o1' },
      { key: 'refund:r-9', kind: 'refund', amount: 200 },
      { key: 'refund:pay-1', kind: 'refund', amount: 500 },
    ])
    expect(told.timeline.map((entry) => entry.orderId)).toEqual(['o1', 'o1', 'o1'])
  })

  it("joins a variant's label to its line's name", async () => {
    const { told, projectionsIn } = recording()
    await apply(onOrderConfirmed({ projectionsIn }), 'order.confirmed', {
      orderId: 'o1',
      userId: 'u1',
      lines: [
        {
          productId: 'p',
          variantId: 'v',
          variantLabel: 'M / Blue',
          name: 'Shirt',
          unitPrice: { amount: 100, currency: 'EUR' },
          quantity: 2,
        },
      ],
      total: { amount: 200, currency: 'EUR' },
      at: '2026-03-01T10:00:00.000Z',
    })
    expect(told.confirmed).toMatchObject([
      { lines: [{ productId: 'p', variantId: 'v', name: 'Shirt (M / Blue)', unitPrice: 100 }] },
    ])
  })

  it('counts a started cart by its owner and time, on no timeline', async () => {
    const { told, projectionsIn } = recording()
    await apply(onCartStarted({ projectionsIn }), 'cart.started', {
      cartId: 'guest_1',
      guest: true,
      at: '2026-03-01T23:59:59.999Z',
    })
    expect(told.carts).toEqual([
      { cartId: 'guest_1', guest: true, at: new Date('2026-03-01T23:59:59.999Z') },
    ])
    expect(told.timeline).toEqual([])
  })

  it("puts a staff action on an order's timeline, any other only in the trail", async () => {
    const { told, projectionsIn } = recording()
    const action = (type: string) => ({
      actor: { userId: 's', roles: ['support'] },
      action: `${type}.changed`,
      entity: { type, id: 'x1' },
      before: null,
      after: null,
      at: '2026-03-01T10:00:00.000Z',
    })
    await apply(onAuditRecorded({ projectionsIn }), 'audit.recorded', action('order'))
    await apply(onAuditRecorded({ projectionsIn }), 'audit.recorded', action('product'))
    expect(told.audit).toHaveLength(2)
    expect(told.timeline).toEqual([{ id: 'evt-audit.recorded', orderId: 'x1' }])
  })

  it('has one timeline handler per event type, none twice', () => {
    const { projectionsIn } = recording()
    const types = onTimelineEvents({ projectionsIn }).map((h) => h.event.type)
    expect(new Set(types).size).toBe(types.length)
    expect(types).toEqual(
      expect.arrayContaining(['order.refund-requested', 'return.received', 'shipment.created']),
    )
  })
})
