import { beforeEach, describe, expect, it } from 'vitest'
import type { Harness } from './shipping-harness.js'
import { usd } from './shipping-test-support.js'

/** Zones, methods and quotes over HTTP. */
export function rateTableTests(harness: () => Harness) {
  let h: Harness
  beforeEach(() => {
    h = harness()
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
        (await quote({ ...order, destination: { country: 'AU', region: 'Tasmania' } })).body.quotes,
      ).toHaveLength(2)
      expect((await quote({ ...order, destination: { country: 'AU' } })).body.quotes).toEqual([])
      // A blank region (an address without one) is the country alone.
      expect(
        (await quote({ ...order, destination: { country, region: '' } })).body.quotes,
      ).toHaveLength(2)

      // Deactivated: no longer quoted.
      const off = await h.call('PATCH', `/shipping/methods/${express.body.id}`, { active: false })
      expect(off.status).toBe(200)
      expect((await quote(order)).body.quotes.map((q: { methodId: string }) => q.methodId)).toEqual(
        [standard.body.id],
      )

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
      expect(await codeOf('POST', '/shipping/methods', { ...method, zoneId: 'no-such-zone' })).toBe(
        '422 SHIPPING.UNKNOWN_ZONE',
      )
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
      expect((await h.call('GET', `/shipping/methods?zoneId=${zone.body.id}`)).body.items).toEqual(
        [],
      )

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
}
