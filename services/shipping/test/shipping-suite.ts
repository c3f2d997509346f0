import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, type Harness } from './shipping-harness.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

/** `order.confirmed` data as the orders service publishes it. */
export function confirmed(
  orderId: string,
  userId: string,
  lines: Array<{ productId: string; variantId?: string; quantity: number }>,
) {
  return {
    orderId,
    userId,
    lines: lines.map((line) => ({ ...line, name: `Item ${line.productId}`, unitPrice: usd(1000) })),
    total: usd(1000 * lines.reduce((sum, line) => sum + line.quantity, 0)),
    at: new Date().toISOString(),
  }
}

/** The events the service wrote to its outbox for an order, oldest first. */
export async function eventsOf(h: Harness, type: string, orderId: string) {
  const rows = await h.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('type', '=', type)
    .orderBy('seq')
    .execute()
  return rows
    .map(
      (row) => JSON.parse(row.payload) as { data: Record<string, unknown> & { orderId: string } },
    )
    .filter((event) => event.data.orderId === orderId)
    .map((event) => event.data)
}

/** Confirms an order through the bus and waits until the service has its copy. */
export async function confirmOrder(
  h: Harness,
  lines: Array<{ productId: string; variantId?: string; quantity: number }>,
) {
  const orderId = `order-${randomUUID()}`
  const userId = `user-${randomUUID()}`
  await h.publish('order.confirmed', confirmed(orderId, userId, lines))
  await h.until(
    async () =>
      (await h.db
        .selectFrom('shipping_orders')
        .select('order_id')
        .where('order_id', '=', orderId)
        .where('confirmed', '=', true)
        .executeTakeFirst()) !== undefined,
    `the confirmation of ${orderId}`,
  )
  return { orderId, userId }
}

const ship = (orderId: string, lines: Array<{ variantId: string; quantity: number }>) => ({
  orderId,
  carrier: 'DHL',
  trackingNumber: `TRK-${randomUUID().slice(0, 8)}`,
  lines,
})

/** What every database kind must do alike. */
export function shippingSuite(kind: 'postgres' | 'pglite') {
  describe(`shipping service on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind)
    }, 120_000)

    afterAll(async () => {
      await h?.close()
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
        expect(
          (await h.call('POST', `/shipping/shipments/${first.body.id}/delivered`)).status,
        ).toBe(200)
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

    describe('zones, methods and quotes', () => {
      it('quotes the active methods of the zones covering the destination, cheapest first', async () => {
        const country = 'NZ'
        const zone = await h.call('POST', '/shipping/zones', {
          name: 'Oceania',
          countries: [{ country }, { country: 'AU', region: 'Tasmania' }],
        })
        expect(zone.status).toBe(201)
        const standard = await h.call('POST', '/shipping/methods', {
          zoneId: zone.body.id,
          name: 'Standard',
          carrier: 'NZ Post',
          basis: 'weight',
          rates: [
            { from: 1000, price: usd(900) },
            { from: 0, price: usd(500) },
          ],
          freeAbove: usd(10_000),
          estimatedDays: { min: 3, max: 5 },
        })
        expect(standard.status).toBe(201)
        expect(standard.body.rates.map((r: { from: number }) => r.from)).toEqual([0, 1000])
        expect(standard.body.active).toBe(true)
        const express = await h.call('POST', '/shipping/methods', {
          zoneId: zone.body.id,
          name: 'Express',
          carrier: 'DHL',
          basis: 'flat',
          rates: [{ from: 0, price: usd(700) }],
        })
        const euros = await h.call('POST', '/shipping/methods', {
          zoneId: zone.body.id,
          name: 'Euro',
          carrier: 'DHL',
          basis: 'flat',
          rates: [{ from: 0, price: { amount: 100, currency: 'EUR' } }],
        })
        expect(euros.status).toBe(201)

        const quote = (body: unknown, headers: Record<string, string> = {}) =>
          h.call('POST', '/shipping/quotes', body, headers)
        const order = { destination: { country }, subtotal: usd(5000), weightGrams: 1500 }
        const quoted = await quote(order)
        expect(quoted.status).toBe(200)
        expect(quoted.body.quotes).toEqual([
          { methodId: express.body.id, name: 'Express', carrier: 'DHL', price: usd(700) },
          {
            methodId: standard.body.id,
            name: 'Standard',
            carrier: 'NZ Post',
            price: usd(900),
            estimatedDays: { min: 3, max: 5 },
          },
        ])
        expect((await quote({ ...order, subtotal: usd(10_000) })).body.quotes[0]).toMatchObject({
          methodId: standard.body.id,
          price: usd(0),
        })
        expect(
          (await quote({ ...order, destination: { country: 'AU', region: 'Tasmania' } })).body
            .quotes,
        ).toHaveLength(2)
        expect((await quote({ ...order, destination: { country: 'AU' } })).body.quotes).toEqual([])

        // Deactivated: no longer quoted.
        const off = await h.call('PATCH', `/shipping/methods/${express.body.id}`, { active: false })
        expect(off.status).toBe(200)
        expect(
          (await quote(order)).body.quotes.map((q: { methodId: string }) => q.methodId),
        ).toEqual([standard.body.id])

        // The orders service asks with its credential; a forged or foreign one is refused.
        const asOrders = await quote(order, {
          'x-service-authorization': await h.orders.authorization('shipping'),
        })
        expect(asOrders.status).toBe(200)
        expect(asOrders.body.quotes).toHaveLength(1)
        const asCart = await quote(order, {
          'x-service-authorization': await h.cart.authorization('shipping'),
        })
        expect(asCart.status).toBe(403)
        const forged = await quote(order, { 'x-service-authorization': 'Bearer not-a-token' })
        expect(forged.status).toBe(401)
        const badCountry = await quote({ ...order, destination: { country: 'nz' } })
        expect(badCountry.status).toBe(400)
      })

      it('refuses bad zones and methods with a problem, writing nothing', async () => {
        const codeOf = async (method: string, path: string, body: unknown) => {
          const reply = await h.call(method, path, body)
          return `${reply.status} ${reply.body?.code}`
        }
        expect(
          await codeOf('POST', '/shipping/zones', {
            name: 'X',
            countries: [{ country: 'DE' }, { country: 'DE' }],
          }),
        ).toBe('400 SHIPPING.DUPLICATE_COUNTRY')
        expect(
          (
            await h.call('POST', '/shipping/zones', {
              name: 'X',
              countries: [{ country: 'Germany' }],
            })
          ).status,
        ).toBe(400)
        expect((await h.call('POST', '/shipping/zones', { name: 'X', countries: [] })).status).toBe(
          400,
        )
        const zone = await h.call('POST', '/shipping/zones', {
          name: 'Europe',
          countries: [{ country: 'DE' }],
        })
        const method = {
          zoneId: zone.body.id,
          name: 'Standard',
          carrier: 'DHL',
          basis: 'weight',
          rates: [{ from: 0, price: usd(500) }],
        }
        expect(
          await codeOf('POST', '/shipping/methods', { ...method, zoneId: 'no-such-zone' }),
        ).toBe('422 SHIPPING.UNKNOWN_ZONE')
        expect(await codeOf('POST', '/shipping/methods', { ...method, rates: [] })).toBe(
          '400 SHIPPING.RATES_REQUIRED',
        )
        expect(
          await codeOf('POST', '/shipping/methods', {
            ...method,
            rates: [...method.rates, { from: 10, price: { amount: 1, currency: 'EUR' } }],
          }),
        ).toBe('400 SHIPPING.MIXED_CURRENCIES')
        expect(
          await codeOf('POST', '/shipping/methods', {
            ...method,
            freeAbove: { amount: 1, currency: 'EUR' },
          }),
        ).toBe('400 SHIPPING.MIXED_CURRENCIES')
        expect(
          await codeOf('POST', '/shipping/methods', {
            ...method,
            basis: 'flat',
            rates: [{ from: 5, price: usd(1) }],
          }),
        ).toBe('400 SHIPPING.FLAT_RATE')
        expect(
          await codeOf('POST', '/shipping/methods', {
            ...method,
            rates: [{ from: -1, price: usd(1) }],
          }),
        ).toMatch(/^400 /)
        expect(
          (await h.call('GET', `/shipping/methods?zoneId=${zone.body.id}`)).body.items,
        ).toEqual([])

        const created = await h.call('POST', '/shipping/methods', method)
        expect(created.status).toBe(201)
        // A change that would mix currencies leaves the method as it was.
        expect(
          await codeOf('PATCH', `/shipping/methods/${created.body.id}`, {
            freeAbove: { amount: 1, currency: 'EUR' },
          }),
        ).toBe('400 SHIPPING.MIXED_CURRENCIES')
        expect(
          await codeOf('PATCH', `/shipping/methods/${created.body.id}`, { zoneId: 'gone' }),
        ).toBe('422 SHIPPING.UNKNOWN_ZONE')
        expect((await h.call('GET', `/shipping/methods/${created.body.id}`)).body).toEqual(
          created.body,
        )
        expect(await codeOf('PATCH', '/shipping/methods/nope', { active: false })).toBe(
          '404 SHIPPING.METHOD_NOT_FOUND',
        )

        // A zone with methods stays; without, it goes.
        expect(await codeOf('DELETE', `/shipping/zones/${zone.body.id}`, undefined)).toBe(
          '409 SHIPPING.ZONE_IN_USE',
        )
        expect((await h.call('DELETE', `/shipping/methods/${created.body.id}`)).status).toBe(204)
        expect((await h.call('DELETE', `/shipping/zones/${zone.body.id}`)).status).toBe(204)
        expect(await codeOf('GET', `/shipping/zones/${zone.body.id}`, undefined)).toBe(
          '404 SHIPPING.ZONE_NOT_FOUND',
        )
      })

      it('changes a zone, and keeps zones and methods for admins', async () => {
        const zone = await h.call('POST', '/shipping/zones', {
          name: 'Nordics',
          countries: [{ country: 'SE' }],
        })
        const changed = await h.call('PATCH', `/shipping/zones/${zone.body.id}`, {
          countries: [{ country: 'SE' }, { country: 'NO' }],
        })
        expect(changed.body).toEqual({
          id: zone.body.id,
          name: 'Nordics',
          countries: [{ country: 'SE' }, { country: 'NO' }],
        })
        expect((await h.call('GET', '/shipping/zones')).body.items).toContainEqual(changed.body)
        const shopper = { authorization: h.shopper }
        expect((await h.call('GET', '/shipping/zones', undefined, shopper)).status).toBe(403)
        expect(
          (
            await h.call(
              'POST',
              '/shipping/zones',
              { name: 'X', countries: [{ country: 'FI' }] },
              shopper,
            )
          ).status,
        ).toBe(403)
        expect((await h.call('GET', '/shipping/methods', undefined, {})).status).toBe(401)
      })
    })
  })
}
