import { randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '@emporium/platform'
import { createOrderLinks } from '../src/domain/order-link.js'
import { orderFingerprint } from '../src/domain/idempotency.js'
import { isOrdersCredentialFor, product, type FakeCartLine } from './fake-upstreams.js'
import { card, ordersHarness, type Harness } from './harness.js'

/** Where the priced checkouts go: Germany, with rates and shipping methods of its own. */
const berlin = {
  name: 'Grace Hopper',
  line1: 'Unter den Linden 1',
  city: 'Berlin',
  postalCode: '10117',
  country: 'DE',
}
const toBerlin = { shippingAddress: berlin, payment: card }

/** Two methods, the dearer first: the cheapest is chosen by price, not by position. */
const germanQuotes = [
  {
    methodId: 'express',
    name: 'Express',
    carrier: 'DHL',
    price: { amount: 1500, currency: 'USD' },
    estimatedDays: { min: 1, max: 2 },
  },
  {
    methodId: 'standard',
    name: 'Standard',
    carrier: 'DPD',
    price: { amount: 500, currency: 'USD' },
  },
]

/** 2 × 1000 (standard class) + 1 × 2000 (reduced class): subtotal 4000. */
const pricedCart = (): FakeCartLine[] => [
  { productId: 'pc-widget', quantity: 2 },
  { productId: 'pc-book', quantity: 1 },
]

/**
 * Issue 18 over HTTP: the checkout's quote and the placement priced by the one totals model
 * (discount, shipping, tax per class), promotions through the saga, guests' orders and their
 * signed links, and the shipping service's shipments.
 *
 * The cart above to Berlin with 10 % off, DE rates 19 % (standard, and shipping by fallback)
 * and 7 % (reduced): the discount 400 splits 200/200; the lines' tax is 19 % of 1800 = 342 and
 * 7 % of 1800 = 126; express shipping 1500 is taxed 285 (standard 500: 95). So express:
 * 4000 − 400 + 1500 + 753 = 5853; standard: 4000 − 400 + 500 + 563 = 4663.
 */
export function checkoutPricingCases(h: Harness): void {
  const { call, customer, admin, place, outbox, ordersOf, keysOf, statusOf, publish } = h

  async function promotion(extra: Record<string, unknown> = {}) {
    const reply = await call('POST', '/promotions', admin, {
      body: {
        code: `PC${randomUUID().slice(0, 8)}`,
        kind: 'percentage',
        percent: 10,
        ...extra,
      },
    })
    expect(reply.status, reply.text).toBe(201)
    return reply.body as { id: string; code: string }
  }

  async function usesOf(promotionId: string) {
    const reply = await call('GET', `/promotions/${promotionId}`, admin)
    expect(reply.status, reply.text).toBe(200)
    return { uses: reply.body.uses as number, reserved: reply.body.reserved as number }
  }

  async function quote(who: { bearer: string }, payload: unknown) {
    return call('POST', '/orders/quote', who.bearer, { body: payload })
  }

  function guest(lines: FakeCartLine[] = pricedCart()) {
    const userId = `guest_${randomUUID()}`
    h.carts.set(userId, lines)
    return { userId, bearer: h.tokens.bearer(userId, ['guest']) }
  }

  /** Takes a placed order to `confirmed` (stock held, payment captured). */
  async function confirm(order: { id: string; total: { amount: number } }, userId: string) {
    await publish('stock.reserved', h.stockReserved(order.id))
    await publish('payment.captured', h.payment(order.id, userId, order.total.amount))
    expect((await statusOf(order.id)).status).toBe('confirmed')
  }

  describe('checkout pricing, promotions, guests and shipments (issue 18)', () => {
    beforeAll(async () => {
      h.products.set('pc-widget', product('pc-widget', 'Widget', 1000))
      h.products.set('pc-book', {
        ...product('pc-book', 'Book', 2000),
        taxClass: 'reduced',
      } as never)
      h.shippingQuotes.set('DE', germanQuotes)
      // The rates, as an admin sets them (only an admin may).
      const denied = await call('PUT', '/tax-rates', customer().bearer, {
        body: { country: 'DE', rateBasisPoints: 1 },
      })
      expect(denied.status).toBe(403)
      for (const rate of [
        { country: 'DE', rateBasisPoints: 1900 },
        { country: 'DE', taxClass: 'reduced', rateBasisPoints: 700 },
      ]) {
        const reply = await call('PUT', '/tax-rates', admin, { body: rate })
        expect(reply.status, reply.text).toBe(200)
      }
    })

    describe('the quote', () => {
      it('prices lines (discount, tax, rate), subtotal, discount, shipping, tax and total, with the options', async () => {
        const who = customer(pricedCart())
        const promo = await promotion()
        h.upstreams().shipping.state.requests.length = 0
        const reply = await quote(who, {
          shippingAddress: berlin,
          shippingMethodId: 'express',
          promotionCode: promo.code.toLowerCase(),
        })
        expect(reply.status, reply.text).toBe(200)
        const usd = (amount: number) => ({ amount, currency: 'USD' })
        expect(reply.body).toMatchObject({
          items: [
            {
              productId: 'pc-widget',
              quantity: 2,
              discount: usd(200),
              tax: usd(342),
              taxRateBasisPoints: 1900,
            },
            {
              productId: 'pc-book',
              quantity: 1,
              discount: usd(200),
              tax: usd(126),
              taxRateBasisPoints: 700,
            },
          ],
          subtotal: usd(4000),
          discount: usd(400),
          shipping: usd(1500),
          tax: usd(753),
          total: usd(5853),
          taxInclusive: false,
          shippingMethod: { id: 'express', name: 'Express', carrier: 'DHL', price: usd(1500) },
          promotionCode: promo.code,
        })
        // Every method offered (in whichever order shipping lists them).
        expect(reply.body.shippingOptions).toHaveLength(germanQuotes.length)
        expect(reply.body.shippingOptions).toEqual(expect.arrayContaining(germanQuotes))
        // Asked of shipping with orders' credential (the fake refuses any other), for this cart.
        const [asked] = h.upstreams().shipping.state.requests
        expect(asked!.body).toMatchObject({ destination: { country: 'DE' }, subtotal: usd(4000) })
        expect(isOrdersCredentialFor('shipping', asked!.headers['x-service-authorization'])).toBe(
          true,
        )
        // A quote reserves nothing.
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 0 })

        // No method chosen: the cheapest; only a destination: the same rates.
        const cheapest = await quote(who, { destination: { country: 'de' } })
        expect(cheapest.status, cheapest.text).toBe(200)
        expect(cheapest.body).toMatchObject({
          discount: usd(0),
          shipping: usd(500),
          shippingMethod: { id: 'standard', price: usd(500) },
          tax: usd(380 + 140 + 95),
          total: usd(4000 + 500 + 615),
          promotionCode: null,
        })
      })

      it('refuses an unknown method (409), an empty cart (400), a bad promotion code (422)', async () => {
        const who = customer(pricedCart())
        const unknown = await quote(who, { shippingAddress: berlin, shippingMethodId: 'teleport' })
        expect(unknown.status).toBe(409)
        expect(unknown.body.code).toBe('ORDERS.SHIPPING_METHOD_UNAVAILABLE')
        // A method offered in Germany is not offered where nothing ships by method.
        const elsewhere = await quote(who, {
          destination: { country: 'NL' },
          shippingMethodId: 'express',
        })
        expect(elsewhere.body.code).toBe('ORDERS.SHIPPING_METHOD_UNAVAILABLE')
        const bad = await quote(who, { shippingAddress: berlin, promotionCode: 'NO-SUCH-CODE' })
        expect(bad.status).toBe(422)
        expect(bad.body.code).toBe('ORDERS.PROMOTION_NOT_FOUND')
        const high = await promotion({ minSubtotal: { amount: 1_000_000, currency: 'USD' } })
        const short = await quote(who, { shippingAddress: berlin, promotionCode: high.code })
        expect(short.status).toBe(422)
        expect(short.body.code).toBe('ORDERS.PROMOTION_MINIMUM_NOT_MET')
        const empty = await quote(customer([]), { shippingAddress: berlin })
        expect(empty.status).toBe(400)
        expect(empty.body.code).toBe('ORDERS.EMPTY_CART')
        const malformed = await quote(who, { shippingAddress: berlin, coupon: 'X' })
        expect(malformed.status).toBe(400)
        expect((await call('POST', '/orders/quote', undefined, { body: {} })).status).toBe(401)
        // The same refusals at placement, writing nothing.
        for (const [payload, status, code] of [
          [
            { ...toBerlin, shippingMethodId: 'teleport' },
            409,
            'ORDERS.SHIPPING_METHOD_UNAVAILABLE',
          ],
          [{ ...toBerlin, promotionCode: 'NO-SUCH-CODE' }, 422, 'ORDERS.PROMOTION_NOT_FOUND'],
        ] as const) {
          const refused = await place(who, randomUUID(), payload)
          expect(refused.status, refused.text).toBe(status)
          expect(refused.body.code).toBe(code)
        }
        expect(await ordersOf(who.userId)).toHaveLength(0)
        expect(await keysOf(who.userId)).toHaveLength(0)
      })

      it('taxes at a region’s rate where one is set (PUT /tax-rates), the country’s elsewhere', async () => {
        const rate = await call('PUT', '/tax-rates', admin, {
          body: { country: 'DE', region: 'BY', rateBasisPoints: 2000 },
        })
        expect(rate.status, rate.text).toBe(200)
        const who = customer([{ productId: 'pc-widget', quantity: 1 }])
        const bavaria = await quote(who, { destination: { country: 'DE', region: 'by' } })
        expect(bavaria.status, bavaria.text).toBe(200)
        // 20 % of 1000 and of standard shipping's 500.
        expect(bavaria.body.items[0].taxRateBasisPoints).toBe(2000)
        expect(bavaria.body.tax.amount).toBe(200 + 100)
        const placed = await place(who, randomUUID(), {
          ...toBerlin,
          shippingAddress: { ...berlin, region: 'BY' },
        })
        expect(placed.status, placed.text).toBe(202)
        expect(placed.body.total).toEqual(bavaria.body.total)
        const berlinQuote = await quote(customer([{ productId: 'pc-widget', quantity: 1 }]), {
          shippingAddress: berlin,
        })
        expect(berlinQuote.body.tax.amount).toBe(190 + 95)
      })
    })

    describe('placement', () => {
      it('charges the quote: the order, order.placed and order.payment-requested carry its total and breakdown', async () => {
        const who = customer(pricedCart())
        const promo = await promotion()
        const choice = { shippingMethodId: 'express', promotionCode: promo.code }
        const quoted = await quote(who, { shippingAddress: berlin, ...choice })
        expect(quoted.body.total.amount).toBe(5853)

        const reply = await place(who, randomUUID(), { ...toBerlin, ...choice })
        expect(reply.status, reply.text).toBe(202)
        const breakdown = {
          total: quoted.body.total,
          subtotal: quoted.body.subtotal,
          discount: quoted.body.discount,
          shipping: quoted.body.shipping,
          tax: quoted.body.tax,
          taxInclusive: false,
          shippingMethod: quoted.body.shippingMethod,
          promotionCode: promo.code,
        }
        expect(reply.body).toMatchObject({ ...breakdown, items: quoted.body.items })
        const shown = await call('GET', `/orders/${reply.body.id}`, who.bearer)
        expect(shown.body).toMatchObject({ ...breakdown, items: quoted.body.items, shipments: [] })

        const [placed] = await outbox('order.placed', reply.body.id)
        expect(placed.data).toMatchObject({
          total: { amount: 5853, currency: 'USD' },
          subtotal: { amount: 4000 },
          discount: { amount: 400 },
          shipping: { amount: 1500 },
          tax: { amount: 753 },
          taxInclusive: false,
          shippingMethod: { id: 'express', name: 'Express', carrier: 'DHL' },
          promotionCode: promo.code,
        })
        expect(placed.data.email).toBeUndefined()

        await publish('stock.reserved', h.stockReserved(reply.body.id))
        const [requested] = await outbox('order.payment-requested', reply.body.id)
        expect(requested.data.amount).toEqual({ amount: 5853, currency: 'USD' })
      })

      it('takes the cheapest method when none is chosen, and ships free where none is offered', async () => {
        const cheapest = await place(customer(pricedCart()), randomUUID(), toBerlin)
        expect(cheapest.status, cheapest.text).toBe(202)
        expect(cheapest.body).toMatchObject({
          shipping: { amount: 500 },
          shippingMethod: { id: 'standard', name: 'Standard', carrier: 'DPD' },
          total: { amount: 4000 + 500 + 615 },
        })
        // The Netherlands: no method offered, no rate set.
        const dutch = { ...berlin, city: 'Amsterdam', postalCode: '1011', country: 'NL' }
        const free = await place(customer(pricedCart()), randomUUID(), {
          ...toBerlin,
          shippingAddress: dutch,
        })
        expect(free.status, free.text).toBe(202)
        expect(free.body).toMatchObject({
          shipping: { amount: 0 },
          shippingMethod: null,
          tax: { amount: 0 },
          total: { amount: 4000 },
        })
      })

      it('answers 503 while shipping is down, writing nothing; the key works after', async () => {
        const who = customer(pricedCart())
        const key = randomUUID()
        const shipping = h.upstreams().shipping
        shipping.state.down = true
        try {
          const quoted = await quote(who, { shippingAddress: berlin })
          expect(quoted.status).toBe(503)
          expect(quoted.body.code).toBe('ORDERS.SHIPPING_UNAVAILABLE')
          const refused = await place(who, key, toBerlin)
          expect(refused.status).toBe(503)
          expect(refused.body.code).toBe('ORDERS.SHIPPING_UNAVAILABLE')
          expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
        } finally {
          shipping.state.down = false
        }
        expect(await ordersOf(who.userId)).toHaveLength(0)
        expect(await keysOf(who.userId)).toHaveLength(0)
        const placed = await place(who, key, toBerlin)
        expect(placed.status, placed.text).toBe(202)
      })

      it('fingerprints the promotion code: the same key with another code is a 422', async () => {
        const who = customer(pricedCart())
        const first = await promotion()
        const second = await promotion()
        expect(orderFingerprint({ ...toBerlin, promotionCode: first.code })).not.toBe(
          orderFingerprint({ ...toBerlin, promotionCode: second.code }),
        )
        const key = randomUUID()
        const placed = await place(who, key, { ...toBerlin, promotionCode: first.code })
        expect(placed.status, placed.text).toBe(202)
        const other = await place(who, key, { ...toBerlin, promotionCode: second.code })
        expect(other.status).toBe(422)
        expect(other.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REUSED')
        const without = await place(who, key, toBerlin)
        expect(without.status).toBe(422)
        // The same code (in any case) is the same request: replayed.
        const again = await place(who, key, {
          ...toBerlin,
          promotionCode: first.code.toLowerCase(),
        })
        expect(again.status).toBe(202)
        expect(again.headers.get('idempotent-replayed')).toBe('true')
        expect(again.body.id).toBe(placed.body.id)
        expect(await ordersOf(who.userId)).toHaveLength(1)
        expect(await usesOf(first.id)).toEqual({ uses: 0, reserved: 1 })
        expect(await usesOf(second.id)).toEqual({ uses: 0, reserved: 0 })
      })
    })

    describe('promotions through the saga', () => {
      it('reserved at placement, spent at confirmation, given back when the confirmed order is cancelled', async () => {
        const who = customer(pricedCart())
        const promo = await promotion()
        const reply = await place(who, randomUUID(), { ...toBerlin, promotionCode: promo.code })
        expect(reply.status, reply.text).toBe(202)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 1 })
        await confirm(reply.body, who.userId)
        expect(await usesOf(promo.id)).toEqual({ uses: 1, reserved: 0 })
        const [confirmed] = await outbox('order.confirmed', reply.body.id)
        expect(confirmed.data).toMatchObject({
          total: { amount: reply.body.total.amount },
          discount: { amount: 400 },
          promotionCode: promo.code,
        })
        // An account's order gets no link (and has no e-mail of its own).
        expect(confirmed.data.orderLink).toBeUndefined()
        const cancelled = await call('POST', `/orders/${reply.body.id}/cancel`, who.bearer)
        expect(cancelled.status, cancelled.text).toBe(202)
        expect(cancelled.body.status).toBe('cancelled')
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 0 })
      })

      it('given back when a pending order is cancelled: the last use is free again', async () => {
        const promo = await promotion({ usageLimit: 1 })
        const first = customer(pricedCart())
        const reply = await place(first, randomUUID(), { ...toBerlin, promotionCode: promo.code })
        expect(reply.status, reply.text).toBe(202)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 1 })
        const cancelled = await call('POST', `/orders/${reply.body.id}/cancel`, first.bearer)
        expect(cancelled.body.status).toBe('cancelled')
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 0 })
        const next = await place(customer(pricedCart()), randomUUID(), {
          ...toBerlin,
          promotionCode: promo.code,
        })
        expect(next.status, next.text).toBe(202)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 1 })
      })

      it('an exhausted promotion is a 409 writing nothing; the key then works without the code', async () => {
        const promo = await promotion({ usageLimit: 1 })
        const first = await place(customer(pricedCart()), randomUUID(), {
          ...toBerlin,
          promotionCode: promo.code,
        })
        expect(first.status, first.text).toBe(202)
        const second = customer(pricedCart())
        const key = randomUUID()
        const refused = await place(second, key, { ...toBerlin, promotionCode: promo.code })
        expect(refused.status, refused.text).toBe(409)
        expect(refused.body.code).toBe('ORDERS.PROMOTION_EXHAUSTED')
        expect(await ordersOf(second.userId)).toHaveLength(0)
        expect(await keysOf(second.userId)).toHaveLength(0)
        expect(
          (await outbox('order.placed')).filter((e) => e.data.userId === second.userId),
        ).toHaveLength(0)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 1 })
        const without = await place(second, key, toBerlin)
        expect(without.status, without.text).toBe(202)
        expect(without.body.promotionCode).toBeNull()
        expect(without.body.discount.amount).toBe(0)
      })

      it('two shoppers racing for the last use: one order, one 409, nothing half-written', async () => {
        const promo = await promotion({ usageLimit: 1 })
        const shoppers = [customer(pricedCart()), customer(pricedCart())]
        const replies = await Promise.all(
          shoppers.map((who) =>
            place(who, randomUUID(), { ...toBerlin, promotionCode: promo.code }),
          ),
        )
        expect(replies.map((r) => r.status).sort()).toEqual([202, 409])
        const loser = replies.findIndex((r) => r.status === 409)
        expect(replies[loser]!.body.code).toBe('ORDERS.PROMOTION_EXHAUSTED')
        expect(await ordersOf(shoppers[loser]!.userId)).toHaveLength(0)
        expect(await keysOf(shoppers[loser]!.userId)).toHaveLength(0)
        expect(await ordersOf(shoppers[1 - loser]!.userId)).toHaveLength(1)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 1 })
      })
    })

    describe('guests', () => {
      it('needs an e-mail address of a guest (400), writing nothing', async () => {
        const who = guest()
        const key = randomUUID()
        const refused = await place(who, key, toBerlin)
        expect(refused.status).toBe(400)
        expect(refused.body.code).toBe('ORDERS.EMAIL_REQUIRED')
        expect(await ordersOf(who.userId)).toHaveLength(0)
        expect(await keysOf(who.userId)).toHaveLength(0)
        const badEmail = await place(who, key, { ...toBerlin, email: 'not-an-address' })
        expect(badEmail.status).toBe(400)
        const placed = await place(who, key, { ...toBerlin, email: 'g@example.com' })
        expect(placed.status, placed.text).toBe(202)
      })

      it('keeps the e-mail, mails a signed link at confirmation that opens the order without a token', async () => {
        const who = guest()
        const reply = await place(who, randomUUID(), {
          ...toBerlin,
          email: 'Ada.Guest@Example.COM',
        })
        expect(reply.status, reply.text).toBe(202)
        expect(reply.body.email).toBe('ada.guest@example.com')
        const [placed] = await outbox('order.placed', reply.body.id)
        expect(placed.data.email).toBe('ada.guest@example.com')
        await confirm(reply.body, who.userId)
        const [confirmed] = await outbox('order.confirmed', reply.body.id)
        expect(confirmed.data.email).toBe('ada.guest@example.com')
        const link = confirmed.data.orderLink as string
        expect(link).toEqual(expect.any(String))

        const opened = await call('GET', `/order-links/${link}`)
        expect(opened.status, opened.text).toBe(200)
        expect(opened.body).toMatchObject({
          id: reply.body.id,
          status: 'confirmed',
          email: 'ada.guest@example.com',
          total: reply.body.total,
        })

        // Tampered, for another order, malformed: the same 404.
        const [orderId, expires, mac] = link.split('.') as [string, string, string]
        const flipped = `${orderId}.${expires}.${mac.slice(0, -2)}${mac.endsWith('AA') ? 'BB' : 'AA'}`
        const other = await place(guest(), randomUUID(), { ...toBerlin, email: 'o@example.com' })
        for (const token of [
          flipped,
          `${other.body.id}.${expires}.${mac}`,
          `${orderId}.${Number(expires) + 60}.${mac}`,
          'not-a-link',
        ]) {
          const reply404 = await call('GET', `/order-links/${token}`)
          expect(reply404.status, token).toBe(404)
        }
        // Expired: the link's lifetime (90 days) past.
        h.setClockShift(91 * 86_400_000)
        try {
          expect((await call('GET', `/order-links/${link}`)).status).toBe(404)
        } finally {
          h.setClockShift(0)
        }
        expect((await call('GET', `/order-links/${link}`)).status).toBe(200)
      })

      it('never opens an account’s order through a link, even one signed with the real key', async () => {
        const account = customer(pricedCart())
        const reply = await place(account, randomUUID(), toBerlin)
        expect(reply.status, reply.text).toBe(202)
        const guestOrder = await place(guest(), randomUUID(), {
          ...toBerlin,
          email: 'k@example.com',
        })
        expect(guestOrder.status, guestOrder.text).toBe(202)
        const row = await h
          .db()
          .selectFrom('order_link_keys')
          .select('key')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow()
        const links = createOrderLinks([row.key as string], 90 * 86_400_000)
        // The key is the service's: the guest's order opens with a link made from it ...
        const forGuest = await call(
          'GET',
          `/order-links/${links.issue(guestOrder.body.id, new Date())}`,
        )
        expect(forGuest.status, forGuest.text).toBe(200)
        // ... an account's does not.
        const forAccount = await call(
          'GET',
          `/order-links/${links.issue(reply.body.id, new Date())}`,
        )
        expect(forAccount.status).toBe(404)
      })

      it('counts a promotion’s per-customer limit by a guest’s e-mail, not by the cart token', async () => {
        const promo = await promotion({ perCustomerLimit: 1 })
        const email = `limit-${randomUUID().slice(0, 8)}@example.com`
        const first = await place(guest(), randomUUID(), {
          ...toBerlin,
          email,
          promotionCode: promo.code,
        })
        expect(first.status, first.text).toBe(202)
        // A new cart token, the same address (in another case): refused.
        const again = guest()
        const refused = await place(again, randomUUID(), {
          ...toBerlin,
          email: email.toUpperCase(),
          promotionCode: promo.code,
        })
        expect(refused.status, refused.text).toBe(409)
        expect(refused.body.code).toBe('ORDERS.PROMOTION_CUSTOMER_LIMIT')
        expect(await ordersOf(again.userId)).toHaveLength(0)
        // Another address may use it.
        const other = await place(again, randomUUID(), {
          ...toBerlin,
          email: `other-${email}`,
          promotionCode: promo.code,
        })
        expect(other.status, other.text).toBe(202)
        expect(await usesOf(promo.id)).toEqual({ uses: 0, reserved: 2 })
      })

      it('hides a guest’s order from another guest (404), shows it to its own', async () => {
        const owner = guest()
        const reply = await place(owner, randomUUID(), { ...toBerlin, email: 'own@example.com' })
        expect(reply.status, reply.text).toBe(202)
        const stranger = guest()
        expect((await call('GET', `/orders/${reply.body.id}`, stranger.bearer)).status).toBe(404)
        expect(
          (await call('POST', `/orders/${reply.body.id}/cancel`, stranger.bearer)).status,
        ).toBe(404)
        const list = await call('GET', '/orders', stranger.bearer)
        expect(list.body.items).toEqual([])
        expect((await statusOf(reply.body.id)).status).toBe('pending')
        const own = await call('GET', `/orders/${reply.body.id}`, owner.bearer)
        expect(own.status).toBe(200)
        expect(own.body.email).toBe('own@example.com')
      })
    })

    describe('shipments', () => {
      const shipment = (
        order: { id: string },
        userId: string,
        shipmentId: string,
        lines: Array<{ productId: string; variantId: string; quantity: number }>,
        complete: boolean,
      ) => ({
        shipmentId,
        orderId: order.id,
        userId,
        carrier: 'DHL',
        trackingNumber: `TRK-${shipmentId}`,
        lines,
        complete,
        at: new Date().toISOString(),
      })

      it('records each shipment; the completing one ships the order once; delivery is noted', async () => {
        const who = customer(pricedCart())
        const reply = await place(who, randomUUID(), toBerlin)
        expect(reply.status, reply.text).toBe(202)
        const order = reply.body
        await confirm(order, who.userId)
        const first = shipment(
          order,
          who.userId,
          `shp-${randomUUID()}`,
          [{ productId: 'pc-widget', variantId: 'pc-widget', quantity: 2 }],
          false,
        )
        await publish('shipment.created', first)
        let shown = await call('GET', `/orders/${order.id}`, who.bearer)
        expect(shown.body.status).toBe('confirmed')
        expect(shown.body.shipments).toEqual([
          {
            id: first.shipmentId,
            carrier: 'DHL',
            trackingNumber: first.trackingNumber,
            status: 'shipped',
            items: first.lines,
            createdAt: first.at,
          },
        ])
        expect(await outbox('order.shipped', order.id)).toHaveLength(0)

        const second = shipment(
          order,
          who.userId,
          `shp-${randomUUID()}`,
          [{ productId: 'pc-book', variantId: 'pc-book', quantity: 1 }],
          true,
        )
        const envelope = await publish('shipment.created', second)
        expect((await statusOf(order.id)).status).toBe('shipped')
        expect(await outbox('order.shipped', order.id)).toHaveLength(1)
        // Repeated: the same delivery again, and the same shipment in another event.
        await publish('shipment.created', second, envelope.id)
        await publish('shipment.created', second)
        expect(await outbox('order.shipped', order.id)).toHaveLength(1)
        shown = await call('GET', `/orders/${order.id}`, who.bearer)
        expect(shown.body.status).toBe('shipped')
        expect(shown.body.shipments.map((s: { id: string }) => s.id).sort()).toEqual(
          [first.shipmentId, second.shipmentId].sort(),
        )

        await publish('shipment.delivered', {
          shipmentId: first.shipmentId,
          orderId: order.id,
          userId: who.userId,
          at: new Date().toISOString(),
        })
        shown = await call('GET', `/orders/${order.id}`, who.bearer)
        const statuses = Object.fromEntries(
          shown.body.shipments.map((s: { id: string; status: string }) => [s.id, s.status]),
        )
        expect(statuses).toEqual({
          [first.shipmentId]: 'delivered',
          [second.shipmentId]: 'shipped',
        })
      })

      it('a shipment of a cancelled order is recorded but does not ship it', async () => {
        const who = customer(pricedCart())
        const reply = await place(who, randomUUID(), toBerlin)
        expect(reply.status, reply.text).toBe(202)
        await call('POST', `/orders/${reply.body.id}/cancel`, who.bearer)
        expect((await statusOf(reply.body.id)).status).toBe('cancelled')
        await publish(
          'shipment.created',
          shipment(
            reply.body,
            who.userId,
            `shp-${randomUUID()}`,
            [{ productId: 'pc-widget', variantId: 'pc-widget', quantity: 2 }],
            true,
          ),
        )
        expect((await statusOf(reply.body.id)).status).toBe('cancelled')
        expect(await outbox('order.shipped', reply.body.id)).toHaveLength(0)
        // Nor does one of an unknown order fail (it is logged and dropped).
        await publish(
          'shipment.created',
          shipment({ id: randomUUID() }, who.userId, `shp-${randomUUID()}`, [], true),
        )
      })
    })
  })
}

/**
 * A service whose prices include tax (ORDERS_PRICES_INCLUDE_TAX=true) and that has no shipping
 * service (ORDERS_SHIPPING_URLS empty): the tax is the part of the prices, and shipping is free.
 */
export function taxInclusiveSuite(kind: DatabaseKind): void {
  describe(`orders service on ${kind}: prices including tax, no shipping service`, () => {
    const h = ordersHarness(kind, { shipping: false, env: { ORDERS_PRICES_INCLUDE_TAX: 'true' } })
    const france = { ...berlin, city: 'Paris', postalCode: '75001', country: 'FR' }

    it('quotes and charges the tax included: the quote’s total is the order’s and the payment’s', async () => {
      h.products.set('pc-gift', product('pc-gift', 'Gift', 1200))
      h.shippingQuotes.set('FR', germanQuotes)
      const rate = await h.call('PUT', '/tax-rates', h.admin, {
        body: { country: 'FR', rateBasisPoints: 2000 },
      })
      expect(rate.status, rate.text).toBe(200)
      const who = h.customer([{ productId: 'pc-gift', quantity: 1 }])
      const quoted = await h.call('POST', '/orders/quote', who.bearer, {
        body: { shippingAddress: france },
      })
      expect(quoted.status, quoted.text).toBe(200)
      // 1200 holds 20 %: 1200 − round(1200 / 1.2) = 200.
      expect(quoted.body).toMatchObject({
        items: [{ productId: 'pc-gift', tax: { amount: 200 }, taxRateBasisPoints: 2000 }],
        subtotal: { amount: 1200 },
        shipping: { amount: 0 },
        tax: { amount: 200 },
        total: { amount: 1200 },
        taxInclusive: true,
        shippingOptions: [],
        shippingMethod: null,
      })
      const unavailable = await h.place(who, randomUUID(), {
        shippingAddress: france,
        payment: card,
        shippingMethodId: 'express',
      })
      expect(unavailable.status).toBe(409)
      expect(unavailable.body.code).toBe('ORDERS.SHIPPING_METHOD_UNAVAILABLE')

      const reply = await h.place(who, randomUUID(), { shippingAddress: france, payment: card })
      expect(reply.status, reply.text).toBe(202)
      expect(reply.body).toMatchObject({
        total: { amount: 1200 },
        tax: { amount: 200 },
        taxInclusive: true,
        shipping: { amount: 0 },
        shippingMethod: null,
      })
      await h.publish('stock.reserved', h.stockReserved(reply.body.id))
      const [requested] = await h.outbox('order.payment-requested', reply.body.id)
      expect(requested.data.amount).toEqual(quoted.body.total)
      // No shipping service: never asked (the quotes above are never offered).
      expect(h.upstreams().shipping.state.requests).toHaveLength(0)
    })

    it('dead-lettered no event', async () => {
      expect(await h.bus.deadLetters.list('orders')).toEqual([])
    })
  })
}
