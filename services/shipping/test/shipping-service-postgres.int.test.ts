import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from './shipping-harness.js'
import { shippingSuite } from './shipping-suite.js'
import { confirmOrder, eventsOf } from './shipping-test-support.js'

shippingSuite('postgres')

describe('racing shipments on PostgreSQL', () => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness('postgres')
  }, 120_000)

  afterAll(async () => {
    await h?.close()
  })

  it('never ship more than was ordered, whichever wins', async () => {
    const { orderId } = await confirmOrder(h, [{ productId: 'p1', quantity: 10 }])
    // Twelve shipments of 3 at once, each on its own connection: only three fit in 10.
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call('POST', '/shipping/shipments', {
          orderId,
          carrier: 'DHL',
          trackingNumber: `RACE-${i}`,
          lines: [{ variantId: 'p1', quantity: 3 }],
        }),
      ),
    )
    const statuses = replies.map((reply) => reply.status).sort()
    expect(statuses).toEqual([...Array(3).fill(201), ...Array(9).fill(409)])
    for (const reply of replies.filter((r) => r.status === 409)) {
      expect(reply.body.code).toBe('SHIPPING.QUANTITY_EXCEEDS_ORDER')
    }
    const line = await h.db
      .selectFrom('shipping_order_lines')
      .select('shipped')
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
    expect(line.shipped).toBe(9)
    expect(await eventsOf(h, 'shipment.created', orderId)).toHaveLength(3)

    // The last unit, raced by two: one completes the order, the other has nothing left.
    const last = await Promise.all(
      [1, 2].map((i) =>
        h.call('POST', '/shipping/shipments', {
          orderId,
          carrier: 'DHL',
          trackingNumber: `LAST-${i}`,
          lines: [{ variantId: 'p1', quantity: 1 }],
        }),
      ),
    )
    expect(last.map((reply) => reply.status).sort()).toEqual([201, 409])
    expect(last.find((reply) => reply.status === 409)!.body.code).toBe('SHIPPING.NOTHING_TO_SHIP')
    const events = await eventsOf(h, 'shipment.created', orderId)
    expect(events.map((event) => event.complete)).toEqual([false, false, false, true])
  })
})
