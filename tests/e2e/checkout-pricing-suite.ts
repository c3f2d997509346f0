import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { cardOf, cards, type ShopClient } from './shop-client.js'

/**
 * Checkout as shops need it (issue 18) end to end through the gateway, shared by the embedded
 * and the distributed runs: shipping methods quoted by the shipping service, tax by destination,
 * a promotion code, one total from the quote to the captured payment; shipments making the order
 * shipped; a guest's checkout with a cart token and the signed link mailed to it.
 *
 * The shop's zones and tax rates here are for one country of its own (a random pair of letters
 * would do; `DE`-like codes are real), never the other suites' `US`: their totals stay their
 * subtotals.
 */
export interface PricingPlatform {
  client: ShopClient
  adminToken: string
  /** The JSON-lines mailbox of the platform's notifications sender. */
  mailbox: string
}

const money = (amount: number) => ({ amount, currency: 'USD' })

export function checkoutPricingSuite(platform: () => PricingPlatform) {
  const country = 'DE'
  const address = {
    name: 'Erika Shopper',
    line1: 'Marktstraße 1',
    city: 'Berlin',
    postalCode: '10115',
    country,
  }
  let shopReady: Promise<{ standard: string; express: string }> | undefined

  /** The shop's shipping zone, two methods and a 19 % tax rate for `country`, made once. */
  const shop = () =>
    (shopReady ??= (async () => {
      const { client, adminToken } = platform()
      const zone = await client.call('/shipping/zones', {
        token: adminToken,
        body: { name: `E2E ${randomBytes(3).toString('hex')}`, countries: [{ country }] },
      })
      expect(zone.status, JSON.stringify(zone.body)).toBe(201)
      const method = async (name: string, price: number) => {
        const created = await client.call('/shipping/methods', {
          token: adminToken,
          body: {
            zoneId: zone.body.id,
            name,
            carrier: 'DHL',
            basis: 'flat',
            rates: [{ from: 0, price: money(price) }],
            active: true,
          },
        })
        expect(created.status, JSON.stringify(created.body)).toBe(201)
        return created.body.id as string
      }
      const tax = await client.call('/tax-rates', {
        token: adminToken,
        method: 'PUT',
        body: { country, rateBasisPoints: 1900 },
      })
      expect(tax.status, JSON.stringify(tax.body)).toBe(200)
      return { standard: await method('Standard', 495), express: await method('Express', 1295) }
    })())

  const promotion = async (extra: Record<string, unknown> = {}) => {
    const { client, adminToken } = platform()
    const created = await client.call('/promotions', {
      token: adminToken,
      body: {
        code: `E2E${randomBytes(4).toString('hex')}`,
        kind: 'percentage',
        percent: 10,
        ...extra,
      },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body as { id: string; code: string }
  }

  const promotionUses = async (id: string) => {
    const { client, adminToken } = platform()
    const found = await client.call(`/promotions/${id}`, { token: adminToken })
    return { uses: found.body.uses as number, reserved: found.body.reserved as number }
  }

  /** A shopper (an account, or a guest's cart token) with `quantity` of a new product in the cart. */
  const shopperWithCart = async (quantity: number, price = 1250) => {
    const { client, adminToken } = platform()
    const product = await client.createProduct(adminToken, price, 20)
    const shopper = await client.register()
    await client.addToCart(shopper.token, product.id, quantity)
    return { product, auth: { token: shopper.token } }
  }

  const place = (
    auth: { token?: string; headers?: Record<string, string> },
    body: Record<string, unknown>,
    key = randomUUID(),
  ) =>
    platform().client.call('/orders', {
      ...auth,
      body: { shippingAddress: address, payment: cardOf(cards.approved), ...body },
      headers: { ...auth.headers, 'idempotency-key': key },
    })

  it('shipping, tax and a promotion: the quote is the order’s total is the captured amount; the use is spent, and given back by a cancel', async () => {
    const { client, adminToken } = platform()
    const methods = await shop()
    const promo = await promotion()
    const { auth } = await shopperWithCart(2)

    const quote = await client.call('/orders/quote', {
      ...auth,
      body: { destination: { country }, promotionCode: promo.code.toLowerCase() },
    })
    expect(quote.status, JSON.stringify(quote.body)).toBe(200)
    const q = quote.body
    expect(q.shippingOptions.map((o: { methodId: string }) => o.methodId)).toEqual([
      methods.standard,
      methods.express,
    ])
    // The cheapest by default; 10 % off 2,500; 19 % on the discounted lines and on shipping.
    expect(q).toMatchObject({
      subtotal: money(2500),
      discount: money(250),
      shipping: money(495),
      tax: money(Math.round(2250 * 0.19) + Math.round(495 * 0.19)),
      taxInclusive: false,
      shippingMethod: { id: methods.standard, name: 'Standard', carrier: 'DHL' },
      promotionCode: promo.code.toUpperCase(),
    })
    expect(q.total.amount).toBe(2500 - 250 + 495 + q.tax.amount)
    // An express quote of the same cart.
    const express = await client.call('/orders/quote', {
      ...auth,
      body: {
        shippingAddress: address,
        shippingMethodId: methods.express,
        promotionCode: promo.code,
      },
    })
    expect(express.body.shipping).toEqual(money(1295))
    expect(express.body.total.amount).toBe(2500 - 250 + 1295 + express.body.tax.amount)
    // A method the destination is not offered, and a code that does not exist.
    const unknownMethod = await client.call('/orders/quote', {
      ...auth,
      body: { destination: { country }, shippingMethodId: 'no-such-method' },
    })
    expect(unknownMethod.status).toBe(409)
    expect(unknownMethod.body.code).toBe('ORDERS.SHIPPING_METHOD_UNAVAILABLE')
    const unknownCode = await client.call('/orders/quote', {
      ...auth,
      body: { destination: { country }, promotionCode: 'NOSUCHCODE' },
    })
    expect(unknownCode.status).toBe(422)
    expect(unknownCode.body.code).toBe('ORDERS.PROMOTION_NOT_FOUND')

    const placed = await place(auth, {
      shippingMethodId: methods.express,
      promotionCode: promo.code,
    })
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    expect(placed.body).toMatchObject({
      subtotal: money(2500),
      discount: money(250),
      shipping: money(1295),
      tax: express.body.tax,
      total: express.body.total,
      shippingMethod: { id: methods.express, price: money(1295) },
      promotionCode: promo.code.toUpperCase(),
    })
    // Each line carries its share of the discount and its tax; they add up to the order's.
    const items = placed.body.items as Array<{
      discount: { amount: number }
      tax: { amount: number }
    }>
    expect(items.reduce((sum, i) => sum + i.discount.amount, 0)).toBe(250)
    expect(items.reduce((sum, i) => sum + i.tax.amount, 0)).toBe(
      placed.body.tax.amount - Math.round(1295 * 0.19),
    )
    expect(await promotionUses(promo.id)).toEqual({ uses: 0, reserved: 1 })

    const confirmed = await client.waitForOrder(auth.token, placed.body.id)
    expect(confirmed.status).toBe('confirmed')
    const payments = await client.payments(auth.token, placed.body.id)
    expect(payments.map((p) => [p.status, p.amount])).toEqual([['captured', express.body.total]])
    await expect
      .poll(() => promotionUses(promo.id), { timeout: 20_000 })
      .toEqual({
        uses: 1,
        reserved: 0,
      })
    const reconciliation = await client.call('/payments/reconciliation', { token: adminToken })
    expect(reconciliation.body.doubleCaptures).not.toContain(placed.body.id)

    const cancelled = await client.call(`/orders/${placed.body.id}/cancel`, {
      ...auth,
      method: 'POST',
    })
    expect(cancelled.status).toBe(202)
    await expect
      .poll(() => promotionUses(promo.id), { timeout: 20_000 })
      .toEqual({
        uses: 0,
        reserved: 0,
      })
  })

  it('a promotion with one use left: the second shopper is refused and nothing of theirs is written', async () => {
    const { client } = platform()
    await shop()
    const promo = await promotion({ usageLimit: 1 })
    const first = await shopperWithCart(1)
    const second = await shopperWithCart(1)
    const ok = await place(first.auth, { promotionCode: promo.code })
    expect(ok.status, JSON.stringify(ok.body)).toBe(202)
    const key = randomUUID()
    const refused = await place(second.auth, { promotionCode: promo.code }, key)
    expect(refused.status).toBe(409)
    expect(refused.body.code).toBe('ORDERS.PROMOTION_EXHAUSTED')
    const orders = await client.call('/orders', second.auth)
    expect(orders.body.items).toEqual([])
    // The key was given back: the same key places the order without the code.
    const without = await place(second.auth, {}, key)
    expect(without.status, JSON.stringify(without.body)).toBe(202)
    expect(without.body.discount).toEqual(money(0))
  })

  it('shipments: a partial one leaves the order confirmed, the one completing it ships it', async () => {
    const { client, adminToken } = platform()
    await shop()
    const { product, auth } = await shopperWithCart(3)
    const placed = await place(auth, {})
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    await client.waitForOrder(auth.token, placed.body.id)
    const variantId = placed.body.items[0].variantId as string
    const ship = (quantity: number, trackingNumber: string) =>
      client.call('/shipping/shipments', {
        token: adminToken,
        body: {
          orderId: placed.body.id,
          carrier: 'DHL',
          trackingNumber,
          lines: [{ variantId, quantity }],
        },
      })
    // The shipping service hears of the confirmed order through its event.
    let partial = await ship(1, 'TRACK-1')
    for (let i = 0; partial.status === 404 && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      partial = await ship(1, 'TRACK-1')
    }
    expect(partial.status, JSON.stringify(partial.body)).toBe(201)
    const tooMany = await ship(3, 'TRACK-X')
    expect(tooMany.status).toBe(409)
    await expect
      .poll(async () => (await client.order(auth.token, placed.body.id)).shipments?.length, {
        timeout: 20_000,
      })
      .toBe(1)
    expect((await client.order(auth.token, placed.body.id)).status).toBe('confirmed')
    const rest = await ship(2, 'TRACK-2')
    expect(rest.status, JSON.stringify(rest.body)).toBe(201)
    const shipped = await client.waitForOrder(
      auth.token,
      placed.body.id,
      (o) => o.status === 'shipped',
      30_000,
    )
    expect(shipped.shipments?.map((s) => [s.trackingNumber, s.items[0]?.quantity])).toEqual([
      ['TRACK-1', 1],
      ['TRACK-2', 2],
    ])
    expect(product.id).toBe(shipped.items[0]?.productId)
  })

  it('a guest checks out with a cart token and an e-mail address, and reaches the order through the mailed link only', async () => {
    const { client, adminToken, mailbox } = platform()
    await shop()
    const product = await client.createProduct(adminToken, 990, 5)
    const guest = await client.call('/auth/guest', { method: 'POST' })
    expect(guest.status, JSON.stringify(guest.body)).toBe(201)
    const auth = { headers: { 'x-cart-token': guest.body.cartToken as string } }
    const added = await client.call('/cart/items', {
      ...auth,
      body: { productId: product.id, quantity: 1 },
    })
    expect([200, 201]).toContain(added.status)

    const noEmail = await place(auth, {})
    expect(noEmail.status).toBe(400)
    expect(noEmail.body.code).toBe('ORDERS.EMAIL_REQUIRED')
    const email = `guest-${randomBytes(4).toString('hex')}@e2e.example`
    const placed = await place(auth, { email })
    expect(placed.status, JSON.stringify(placed.body)).toBe(202)
    expect(placed.body.email).toBe(email)
    // The guest follows it with the token; nobody else sees it.
    const own = await client.call(`/orders/${placed.body.id}`, auth)
    expect(own.status).toBe(200)
    const stranger = await client.call('/auth/guest', { method: 'POST' })
    const other = await client.call(`/orders/${placed.body.id}`, {
      headers: { 'x-cart-token': stranger.body.cartToken },
    })
    expect(other.status).toBe(404)
    const account = await client.register()
    expect((await client.call(`/orders/${placed.body.id}`, { token: account.token })).status).toBe(
      404,
    )
    expect((await client.call(`/orders/${placed.body.id}`)).status).toBe(401)

    // Confirmed: the confirmation mailed to the guest holds the order's signed link.
    let link: string | undefined
    await expect
      .poll(
        () => {
          const mail = readFileSync(mailbox, 'utf8')
            .split('\n')
            .filter((line) => line.includes(email))
            .join('\n')
          link = /order-links\/([A-Za-z0-9._-]+)/.exec(mail)?.[1]
          return link
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBeDefined()
    const opened = await client.call(`/order-links/${link}`)
    expect(opened.status).toBe(200)
    expect(opened.body).toMatchObject({ id: placed.body.id, email, status: 'confirmed' })
    // One character of the MAC changed (its fifth from the end: all six of its bits count).
    const at = link!.length - 5
    const changed = link![at] === 'A' ? 'B' : 'A'
    const tampered = await client.call(
      `/order-links/${link!.slice(0, at)}${changed}${link!.slice(at + 1)}`,
    )
    expect(tampered.status).toBe(404)
  })
}
