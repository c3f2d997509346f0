import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { orderFingerprint } from '../src/domain/idempotency.js'
import { card, address, body, type Harness, type Reply } from './harness.js'
import { product, productWithVariants } from './fake-upstreams.js'

/** `POST /orders`: pricing, idempotency, upstream failures, nothing half-written. */
export function placementCases(h: Harness): void {
  const { call, customer, place, outbox, ordersOf, keysOf, carts } = h
  describe('placing an order', () => {
    it('needs a bearer token and an Idempotency-Key', async () => {
      expect((await call('POST', '/orders', undefined, { body, key: 'k' })).status).toBe(401)
      const who = customer()
      const missing = await call('POST', '/orders', who.bearer, { body })
      expect(missing.status).toBe(400)
      expect(missing.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REQUIRED')
      // Named even when the body is bad too.
      const both = await call('POST', '/orders', who.bearer, { body: {} })
      expect(both.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REQUIRED')
      const long = await place(who, 'k'.repeat(256))
      expect(long.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REQUIRED')
      expect(await ordersOf(who.userId)).toHaveLength(0)
    })

    it('validates the body (unknown fields, a bad card shape) with a 400', async () => {
      const who = customer()
      const reply = await place(who, randomUUID(), { ...body, coupon: 'FREE' })
      expect(reply.status).toBe(400)
      const short = await place(who, randomUUID(), { ...body, payment: { ...card, cvc: '1' } })
      expect(short.status).toBe(400)
      expect(JSON.stringify(short.body)).not.toContain(card.cardNumber)
    })

    it('places the cart at the catalog’s prices: 202 pending, order.placed, no card kept', async () => {
      const who = customer([
        { productId: 'lamp', quantity: 2, unitPrice: 5 },
        { productId: 'mug', quantity: 1, unitPrice: 5 },
        { productId: 'gone', quantity: 1, unavailable: true },
      ])
      h.upstreams().cart.state.requests.length = 0
      h.upstreams().payments.state.requests.length = 0
      const reply = await place(who)
      expect(reply.status, reply.text).toBe(202)
      expect(reply.headers.get('content-type')).toMatch(/application\/json/)
      const order = reply.body
      expect(order).toMatchObject({
        status: 'pending',
        items: [
          {
            productId: 'lamp',
            name: 'Desk lamp',
            unitPrice: { amount: 1999, currency: 'USD' },
            quantity: 2,
            lineTotal: { amount: 3998, currency: 'USD' },
          },
          { productId: 'mug', name: 'Mug', quantity: 1, lineTotal: { amount: 850 } },
        ],
        total: { amount: 4848, currency: 'USD' },
        shippingAddress: address,
        payment: null,
        cancellationReason: null,
      })
      expect(order.createdAt).toBe(order.updatedAt)
      // The caller's own token went to the cart, with the request id.
      expect(h.upstreams().cart.state.requests[0]!.headers.authorization).toBe(who.bearer)
      expect(h.upstreams().cart.state.requests[0]!.headers['x-request-id']).toBe(
        reply.headers.get('x-request-id'),
      )
      expect(h.upstreams().payments.state.requests[0]!.body).toEqual({ userId: who.userId, card })

      const [event] = await outbox('order.placed', order.id)
      expect(event).toMatchObject({
        source: 'orders',
        data: {
          orderId: order.id,
          userId: who.userId,
          total: { amount: 4848, currency: 'USD' },
          lines: [
            { productId: 'lamp', name: 'Desk lamp', unitPrice: { amount: 1999 }, quantity: 2 },
            { productId: 'mug', name: 'Mug', unitPrice: { amount: 850 }, quantity: 1 },
          ],
        },
      })
      const row = (await ordersOf(who.userId))[0]!
      expect(row).toMatchObject({ status: 'pending', card_last4: '4242', card_brand: 'visa' })
      expect(String(row.payment_method_id)).toMatch(/^pm_/)
      expect(new Date(row.deadline_at).getTime() - new Date(row.created_at).getTime()).toBe(30_000)
      // Neither the number nor the cvc anywhere in our tables.
      const everything = JSON.stringify([
        await ordersOf(who.userId),
        await keysOf(who.userId),
        await outbox('order.placed', order.id),
      ])
      expect(everything).not.toContain(card.cardNumber)
      expect(everything).not.toContain('"cvc"')
    })

    it('refuses an empty cart (or one with only unavailable lines) with a 400, writing nothing', async () => {
      for (const lines of [[], [{ productId: 'lamp', quantity: 1, unavailable: true }]]) {
        const who = customer(lines)
        const reply = await place(who, 'same-key')
        expect(reply.status).toBe(400)
        expect(reply.body.code).toBe('ORDERS.EMPTY_CART')
        expect(await ordersOf(who.userId)).toHaveLength(0)
        expect(await keysOf(who.userId)).toHaveLength(0)
        // The key was given back: once the cart holds something, it places the order.
        carts.set(who.userId, [{ productId: 'mug', quantity: 1 }])
        expect((await place(who, 'same-key')).status).toBe(202)
      }
    })

    it('refuses a product the catalog no longer has with a 409', async () => {
      const who = customer([{ productId: 'vanished', quantity: 1 }])
      const reply = await place(who)
      expect(reply.status).toBe(409)
      expect(reply.body.code).toBe('ORDERS.PRODUCT_UNAVAILABLE')
      expect(await ordersOf(who.userId)).toHaveLength(0)
    })

    it('replays a repeat with the same key: the same status and body, one order', async () => {
      const who = customer()
      const first = await place(who, 'replay-1')
      const again = await place(who, 'replay-1')
      expect(first.status).toBe(202)
      expect(again.status).toBe(202)
      expect(again.text).toBe(first.text)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      // The cart is read before the key: a repeat after the cart emptied (or changed) still
      // replays the first answer, rather than judging the cart it finds.
      carts.set(who.userId, [])
      const emptied = await place(who, 'replay-1')
      expect(emptied.status).toBe(202)
      expect(emptied.text).toBe(first.text)
      carts.set(who.userId, [{ productId: 'mug', quantity: 3 }])
      expect((await place(who, 'replay-1')).text).toBe(first.text)
      expect(await ordersOf(who.userId)).toHaveLength(1)
      expect(await outbox('order.placed', first.body.id)).toHaveLength(1)
      // The key is the caller's: another customer's same key is another order.
      const other = customer()
      const theirs = await place(other, 'replay-1')
      expect(theirs.status).toBe(202)
      expect(theirs.body.id).not.toBe(first.body.id)
    })

    it('refuses the same key with another body (422)', async () => {
      const who = customer()
      expect((await place(who, 'reuse')).status).toBe(202)
      const other = await place(who, 'reuse', {
        ...body,
        shippingAddress: { ...address, city: 'Paris' },
      })
      expect(other.status).toBe(422)
      expect(other.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REUSED')
      expect(await ordersOf(who.userId)).toHaveLength(1)
    })

    it('places one order for 10 concurrent identical requests', async () => {
      const who = customer()
      h.setPaymentsDelay(300)
      try {
        const replies = await Promise.all(
          Array.from({ length: 10 }, () => place(who, 'concurrent')),
        )
        expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202))
        expect(new Set(replies.map((r) => r.text)).size).toBe(1)
      } finally {
        h.setPaymentsDelay(0)
      }
      expect(await ordersOf(who.userId)).toHaveLength(1)
      const row = (await ordersOf(who.userId))[0]!
      expect(await outbox('order.placed', row.id)).toHaveLength(1)
    })

    it('refuses a card payments refuses with its errors, writing nothing', async () => {
      const who = customer()
      const reply = await place(who, 'bad-card', {
        ...body,
        payment: { ...card, cardNumber: '4242424242424241' },
      })
      expect(reply.status).toBe(400)
      expect(reply.body).toMatchObject({
        code: 'ORDERS.INVALID_CARD',
        errors: [{ path: '/body/payment/cardNumber', message: 'fails the Luhn check' }],
      })
      expect(reply.text).not.toContain('4242424242424241')
      expect(await ordersOf(who.userId)).toHaveLength(0)
      expect(await keysOf(who.userId)).toHaveLength(0)
    })

    it('answers 503 with retry-after while payments is down, writing nothing; the key works after', async () => {
      const who = customer()
      const placedBefore = (await outbox('order.placed')).length
      h.upstreams().payments.state.down = true
      let reply: Reply
      try {
        reply = await place(who, 'outage')
      } finally {
        h.upstreams().payments.state.down = false
      }
      expect(reply.status).toBe(503)
      expect(reply.body.code).toBe('ORDERS.PAYMENTS_UNAVAILABLE')
      expect(reply.headers.get('retry-after')).toMatch(/^\d+$/)
      expect(await ordersOf(who.userId)).toHaveLength(0)
      expect(await keysOf(who.userId)).toHaveLength(0)
      expect(await outbox('order.placed')).toHaveLength(placedBefore)
      const retry = await place(who, 'outage')
      expect(retry.status).toBe(202)
    })

    it('takes over a key whose holder died (lease expired); waits for a live one', async () => {
      const who = customer()
      const row = {
        user_id: who.userId,
        fingerprint: orderFingerprint(body),
        state: 'in_progress',
        claim_token: randomUUID(),
        created_at: new Date(),
      }
      await h
        .db()
        .insertInto('idempotency_keys')
        .values({ ...row, key: 'dead', lease_until: new Date(Date.now() - 1_000) })
        .execute()
      const reply = await place(who, 'dead')
      expect(reply.status).toBe(202)
      expect(await ordersOf(who.userId)).toHaveLength(1)

      await h
        .db()
        .insertInto('idempotency_keys')
        .values({ ...row, key: 'alive', lease_until: new Date(Date.now() + 30_000) })
        .execute()
      // The holder "finishes" while the request waits: it replays the holder's response.
      const waiting = place(who, 'alive')
      await new Promise((resolve) => setTimeout(resolve, 300))
      await h
        .db()
        .updateTable('idempotency_keys')
        .set({ state: 'completed', response_status: 202, response_body: reply.text })
        .where('user_id', '=', who.userId)
        .where('key', '=', 'alive')
        .execute()
      const replayed = await waiting
      expect(replayed.status).toBe(202)
      expect(replayed.text).toBe(reply.text)
      expect(await ordersOf(who.userId)).toHaveLength(1)
    })

    it('answers 503 while the cart, or the catalog for a product orders has not heard of, is down', async () => {
      // A product with no event yet and never placed: its price must come from the catalog.
      const id = `unseen-${randomUUID()}`
      h.products.set(id, product(id, 'Unseen', 1200))
      const who = customer([{ productId: id, quantity: 1 }])
      h.upstreams().cart.state.down = true
      try {
        const reply = await place(who, 'cart-outage')
        expect(reply.status).toBe(503)
        expect(reply.body.code).toBe('ORDERS.CART_UNAVAILABLE')
      } finally {
        h.upstreams().cart.state.down = false
      }
      h.upstreams().catalog.state.down = true
      try {
        expect((await place(who, 'cart-outage')).body.code).toBe('ORDERS.CATALOG_UNAVAILABLE')
      } finally {
        h.upstreams().catalog.state.down = false
      }
      expect(await ordersOf(who.userId)).toHaveLength(0)
      expect((await place(who, 'cart-outage')).status).toBe(202)
    })

    describe('prices from orders’ copy of the catalog', () => {
      const snapshot = (id: string, amount: number, name = `Product ${id}`) => ({
        productId: id,
        sku: `SKU-${id}`,
        name,
        price: { amount, currency: 'USD' },
        categoryId: 'c1',
        imageUrl: `/images/${id}.svg`,
      })
      const catalogAsked = (id: string) =>
        h.upstreams().catalog.state.requests.filter((r) => r.path.includes(id)).length

      it('prices a line from the product events, without asking the catalog (even when it is down)', async () => {
        const id = `evt-${randomUUID()}`
        await h.publish('product.created', snapshot(id, 1000))
        await h.publish('product.updated', {
          ...snapshot(id, 1500, 'Renamed'),
          previousPrice: { amount: 1000, currency: 'USD' },
        })
        h.upstreams().catalog.state.down = true
        try {
          const reply = await place(customer([{ productId: id, quantity: 2 }]))
          expect(reply.status).toBe(202)
          expect(reply.body.total).toEqual({ amount: 3000, currency: 'USD' })
          expect(reply.body.items[0]).toMatchObject({
            name: 'Renamed',
            unitPrice: { amount: 1500, currency: 'USD' },
          })
        } finally {
          h.upstreams().catalog.state.down = false
        }
        expect(catalogAsked(id)).toBe(0)
      })

      it('keeps the newest: an older event arriving late changes nothing', async () => {
        const id = `late-${randomUUID()}`
        const later = new Date(Date.now() + 60_000).toISOString()
        const envelopeAt = async (type: string, data: unknown, occurredAt: string) => {
          const envelope = {
            id: randomUUID(),
            type,
            version: 1,
            occurredAt,
            source: 'catalog',
            correlationId: randomUUID(),
            causationId: null,
            data,
          }
          await h.bus.publish(envelope)
        }
        await envelopeAt('product.updated', snapshot(id, 2000), later)
        await envelopeAt('product.updated', snapshot(id, 900), new Date().toISOString())
        const reply = await place(customer([{ productId: id, quantity: 1 }]))
        expect(reply.body.total).toEqual({ amount: 2000, currency: 'USD' })
      })

      it('refuses a product the catalog deleted with a 409, nothing written', async () => {
        const id = `del-${randomUUID()}`
        h.products.set(id, product(id, 'Still served by the API', 700))
        await h.publish('product.created', snapshot(id, 700))
        await h.publish('product.deleted', { productId: id })
        const who = customer([{ productId: id, quantity: 1 }])
        const reply = await place(who)
        expect(reply.status).toBe(409)
        expect(reply.body.code).toBe('ORDERS.PRODUCT_UNAVAILABLE')
        expect(await ordersOf(who.userId)).toHaveLength(0)
        expect(catalogAsked(id)).toBe(0)
      })

      it('refuses a draft as a deleted product until it is published', async () => {
        const id = `draft-${randomUUID()}`
        h.products.set(id, product(id, 'Served to admins only', 800))
        await h.publish('product.created', { ...snapshot(id, 800), status: 'draft' })
        const who = customer([{ productId: id, quantity: 1 }])
        const refused = await place(who)
        expect(refused.status).toBe(409)
        expect(refused.body.code).toBe('ORDERS.PRODUCT_UNAVAILABLE')
        expect(await ordersOf(who.userId)).toHaveLength(0)
        await h.publish('product.updated', { ...snapshot(id, 800), status: 'published' })
        expect((await place(who)).status).toBe(202)
        // Taken back to draft: refused again.
        await h.publish('product.updated', { ...snapshot(id, 800), status: 'draft' })
        const again = customer([{ productId: id, quantity: 1 }])
        expect((await place(again)).status).toBe(409)
        expect(catalogAsked(id)).toBe(0)
      })

      it("prices and names each variant's line, and the saga's events carry the variant", async () => {
        const id = `tee-${randomUUID()}`
        const xl = `${id}-xl`
        await h.publish('product.created', {
          ...snapshot(id, 1999, 'Tee'),
          variants: [
            {
              variantId: id,
              sku: `SKU-${id}`,
              price: { amount: 1999, currency: 'USD' },
              label: 'M',
            },
            {
              variantId: xl,
              sku: `SKU-${xl}`,
              price: { amount: 2299, currency: 'USD' },
              label: 'XL',
            },
          ],
        })
        const who = customer([
          { productId: id, variantId: xl, quantity: 1 },
          { productId: id, variantId: id, quantity: 2 },
        ])
        const reply = await place(who)
        expect(reply.status, reply.text).toBe(202)
        expect(reply.body.items).toMatchObject([
          {
            productId: id,
            variantId: xl,
            variantLabel: 'XL',
            name: 'Tee',
            unitPrice: { amount: 2299, currency: 'USD' },
            quantity: 1,
            lineTotal: { amount: 2299, currency: 'USD' },
          },
          {
            productId: id,
            variantId: id,
            variantLabel: 'M',
            name: 'Tee',
            unitPrice: { amount: 1999, currency: 'USD' },
            quantity: 2,
            lineTotal: { amount: 3998, currency: 'USD' },
          },
        ])
        expect(reply.body.total).toEqual({ amount: 6297, currency: 'USD' })
        // The first variant's line names none, as lines did before variants.
        const [event] = await outbox('order.placed', reply.body.id)
        expect(event.data.lines).toEqual([
          {
            productId: id,
            variantId: xl,
            variantLabel: 'XL',
            name: 'Tee',
            unitPrice: { amount: 2299, currency: 'USD' },
            quantity: 1,
          },
          {
            productId: id,
            variantLabel: 'M',
            name: 'Tee',
            unitPrice: { amount: 1999, currency: 'USD' },
            quantity: 2,
          },
        ])
        // Read back, the order still names them.
        const read = await call('GET', `/orders/${reply.body.id}`, who.bearer)
        expect(read.body.items).toEqual(reply.body.items)
        // A variant the catalog does not have: the line cannot be ordered.
        const stray = await place(
          customer([{ productId: id, variantId: `${id}-gone`, quantity: 1 }]),
        )
        expect([stray.status, stray.body.code]).toEqual([409, 'ORDERS.PRODUCT_UNAVAILABLE'])
        // The product deleted: every variant of it.
        await h.publish('product.deleted', { productId: id })
        const gone = await place(customer([{ productId: id, variantId: xl, quantity: 1 }]))
        expect([gone.status, gone.body.code]).toEqual([409, 'ORDERS.PRODUCT_UNAVAILABLE'])
      })

      it('learns every variant of a product it has not heard of from one catalog answer', async () => {
        const id = `fresh-tee-${randomUUID()}`
        h.products.set(
          id,
          productWithVariants(id, 'Fresh tee', [
            { id, label: 'S', amount: 1000 },
            { id: `${id}-l`, label: 'L', amount: 1200 },
          ]),
        )
        const first = await place(customer([{ productId: id, variantId: `${id}-l`, quantity: 1 }]))
        expect(first.body.items[0]).toMatchObject({ variantId: `${id}-l`, variantLabel: 'L' })
        const second = await place(customer([{ productId: id, quantity: 1 }]))
        expect(second.body.items[0]).toMatchObject({ variantId: id, variantLabel: 'S' })
        expect(second.body.total.amount).toBe(1000)
        expect(catalogAsked(id)).toBe(1)
      })

      it('asks the catalog once about a product it has not heard of, then remembers it', async () => {
        const id = `new-${randomUUID()}`
        h.products.set(id, product(id, 'Fresh', 450))
        const first = await place(customer([{ productId: id, quantity: 1 }]))
        expect(first.status).toBe(202)
        expect(first.body.total).toEqual({ amount: 450, currency: 'USD' })
        const second = await place(customer([{ productId: id, quantity: 2 }]))
        expect(second.body.total).toEqual({ amount: 900, currency: 'USD' })
        expect(catalogAsked(id)).toBe(1)
        // Any event about it replaces what the API said.
        await h.publish('product.updated', snapshot(id, 500))
        const third = await place(customer([{ productId: id, quantity: 1 }]))
        expect(third.body.total).toEqual({ amount: 500, currency: 'USD' })
      })
    })
  })
}
