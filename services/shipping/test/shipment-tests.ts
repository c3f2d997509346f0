import { randomUUID } from 'node:crypto'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Harness } from './shipping-harness.js'
import { confirmed, confirmOrder, eventsOf, ship } from './shipping-test-support.js'

/** Shipments from the orders service's events, over HTTP and the bus. */
export function shipmentTests(harness: () => Harness) {
  let h: Harness
  beforeEach(() => {
    h = harness()
  })

  describe('shipments from the orders events', () => {
    it('ships part of an order, then the rest, and says when it is complete', async () => {
      const { orderId, userId } = await confirmOrder(h, [
        { productId: 'p1', variantId: 'v1', quantity: 3 },
        { productId: 'p2', quantity: 1 },
      ])
      const first = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'v1', quantity: 2 }]),
      )
      expect(first.status).toBe(201)
      expect(first.body).toMatchObject({
        orderId,
        carrier: 'DHL',
        status: 'shipped',
        lines: [{ productId: 'p1', variantId: 'v1', quantity: 2 }],
      })

      const tooMany = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'v1', quantity: 2 }]),
      )
      expect(tooMany.status).toBe(409)
      expect(tooMany.body.code).toBe('SHIPPING.QUANTITY_EXCEEDS_ORDER')
      const notInOrder = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'v9', quantity: 1 }]),
      )
      expect(notInOrder.status).toBe(422)
      expect(notInOrder.body.code).toBe('SHIPPING.LINE_NOT_IN_ORDER')

      // A line from before variants is shipped by its product's id.
      const rest = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [
          { variantId: 'v1', quantity: 1 },
          { variantId: 'p2', quantity: 1 },
        ]),
      )
      expect(rest.status).toBe(201)
      const again = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p2', quantity: 1 }]),
      )
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('SHIPPING.NOTHING_TO_SHIP')

      const created = await eventsOf(h, 'shipment.created', orderId)
      expect(created).toEqual([
        expect.objectContaining({
          shipmentId: first.body.id,
          userId,
          trackingNumber: first.body.trackingNumber,
          lines: [{ productId: 'p1', variantId: 'v1', quantity: 2 }],
          complete: false,
        }),
        expect.objectContaining({ shipmentId: rest.body.id, userId, complete: true }),
      ])

      const listed = await h.call('GET', `/shipping/shipments?orderId=${orderId}`)
      expect(listed.status).toBe(200)
      expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([
        first.body.id,
        rest.body.id,
      ])

      const delivered = await h.call('POST', `/shipping/shipments/${first.body.id}/delivered`)
      expect(delivered.status).toBe(200)
      expect(delivered.body.status).toBe('delivered')
      // Again: the same answer, and one event only.
      expect((await h.call('POST', `/shipping/shipments/${first.body.id}/delivered`)).status).toBe(
        200,
      )
      expect(await eventsOf(h, 'shipment.delivered', orderId)).toEqual([
        expect.objectContaining({ shipmentId: first.body.id, orderId, userId }),
      ])
      expect((await h.call('GET', `/shipping/shipments/${first.body.id}`)).body.status).toBe(
        'delivered',
      )
    })

    it('refuses an order it never heard confirmed, and a cancelled one', async () => {
      const unknown = await h.call(
        'POST',
        '/shipping/shipments',
        ship('never-confirmed', [{ variantId: 'v1', quantity: 1 }]),
      )
      expect(unknown.status).toBe(404)
      expect(unknown.body.code).toBe('SHIPPING.ORDER_NOT_FOUND')

      const { orderId, userId } = await confirmOrder(h, [{ productId: 'p1', quantity: 2 }])
      await h.publish('order.cancelled', {
        ...confirmed(orderId, userId, [{ productId: 'p1', quantity: 2 }]),
        previousStatus: 'confirmed',
        reason: 'customer_cancelled',
      })
      await h.until(
        async () =>
          (
            await h.db
              .selectFrom('shipping_orders')
              .select('cancelled')
              .where('order_id', '=', orderId)
              .executeTakeFirstOrThrow()
          ).cancelled,
        'the cancellation',
      )
      const refused = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p1', quantity: 1 }]),
      )
      expect(refused.status).toBe(409)
      expect(refused.body.code).toBe('SHIPPING.ORDER_CANCELLED')
      expect(await eventsOf(h, 'shipment.created', orderId)).toEqual([])
    })

    it('keeps nothing of an order cancelled before it was confirmed', async () => {
      const orderId = `order-${randomUUID()}`
      await h.publish('order.cancelled', {
        ...confirmed(orderId, 'user-1', [{ productId: 'p1', quantity: 1 }]),
        previousStatus: 'awaiting_payment',
        reason: 'payment_declined',
      })
      // Events are applied in order: once a later one is in, the cancellation was handled.
      await confirmOrder(h, [{ productId: 'p1', quantity: 1 }])
      const row = await h.db
        .selectFrom('shipping_orders')
        .select('order_id')
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      expect(row).toBeUndefined()
    })

    it("takes the orders service's ship-all as every line shipped, without a shipment", async () => {
      const { orderId, userId } = await confirmOrder(h, [{ productId: 'p1', quantity: 4 }])
      expect(
        (
          await h.call(
            'POST',
            '/shipping/shipments',
            ship(orderId, [{ variantId: 'p1', quantity: 1 }]),
          )
        ).status,
      ).toBe(201)
      await h.publish('order.shipped', { orderId, userId, at: new Date().toISOString() })
      await h.until(
        async () =>
          (
            await h.db
              .selectFrom('shipping_order_lines')
              .select('shipped')
              .where('order_id', '=', orderId)
              .executeTakeFirstOrThrow()
          ).shipped === 4,
        'the whole shipment',
      )
      const after = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p1', quantity: 1 }]),
      )
      expect(after.body.code).toBe('SHIPPING.NOTHING_TO_SHIP')
      expect(await eventsOf(h, 'shipment.created', orderId)).toHaveLength(1)
    })

    it('takes a ship-all heard before the confirmation: the confirmed lines come shipped', async () => {
      const orderId = `order-${randomUUID()}`
      const userId = `user-${randomUUID()}`
      // A retried confirmation comes back after the order was shipped whole.
      await h.publish('order.shipped', { orderId, userId, at: new Date().toISOString() })
      await h.publish(
        'order.confirmed',
        confirmed(orderId, userId, [
          { productId: 'p1', quantity: 3 },
          { productId: 'p2', quantity: 1 },
        ]),
      )
      const lines = () =>
        h.db
          .selectFrom('shipping_order_lines')
          .select(['variant_id', 'quantity', 'shipped'])
          .where('order_id', '=', orderId)
          .orderBy('variant_id')
          .execute()
      await h.until(async () => (await lines()).length === 2, 'the confirmed lines')
      expect(
        (await lines()).map((l) => [l.variant_id, Number(l.quantity), Number(l.shipped)]),
      ).toEqual([
        ['p1', 3, 3],
        ['p2', 1, 1],
      ])
      const after = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p1', quantity: 1 }]),
      )
      expect(after.body.code).toBe('SHIPPING.NOTHING_TO_SHIP')
    })

    it('applies a confirmation heard twice (two event ids) once', async () => {
      const { orderId, userId } = await confirmOrder(h, [{ productId: 'p1', quantity: 2 }])
      await h.publish(
        'order.confirmed',
        confirmed(orderId, userId, [{ productId: 'p1', quantity: 2 }]),
      )
      const marker = await confirmOrder(h, [{ productId: 'p1', quantity: 1 }])
      expect(marker.orderId).not.toBe(orderId)
      const shipped = await h.call(
        'POST',
        '/shipping/shipments',
        ship(orderId, [{ variantId: 'p1', quantity: 3 }]),
      )
      expect(shipped.body.code).toBe('SHIPPING.QUANTITY_EXCEEDS_ORDER')
    })

    it('is for admins only', async () => {
      const { orderId } = await confirmOrder(h, [{ productId: 'p1', quantity: 1 }])
      const body = ship(orderId, [{ variantId: 'p1', quantity: 1 }])
      expect(
        (await h.call('POST', '/shipping/shipments', body, { authorization: h.shopper })).status,
      ).toBe(403)
      expect((await h.call('POST', '/shipping/shipments', body, {})).status).toBe(401)
      expect(
        (
          await h.call('GET', `/shipping/shipments?orderId=${orderId}`, undefined, {
            authorization: h.shopper,
          })
        ).status,
      ).toBe(403)
    })
  })
}
