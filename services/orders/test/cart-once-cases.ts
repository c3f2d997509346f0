import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { body, card, throttledCard, type Harness } from './harness.js'

/** A cart's contents are placed once while an order from it is in flight (issue 13, item 5). */
export function cartOnceCases(h: Harness): void {
  const { call, customer, place, placed, ordersOf, keysOf, outbox, carts, statusOf } = h
  const tokenizations = () => h.upstreams().payments.state.requests.length

  describe('one cart, one order', () => {
    it('refuses the same cart under a new key with a 409 while its order is pending, awaiting payment or confirmed', async () => {
      const who = customer()
      const first = await place(who, 'first')
      expect(first.status, first.text).toBe(202)
      const before = tokenizations()
      const second = await place(who, 'second')
      expect(second.status, second.text).toBe(409)
      expect(second.body.code).toBe('ORDERS.CART_ALREADY_PLACED')
      expect(second.body.detail).toContain(first.body.id)
      // Refused before the card went to payments; nothing written, the second key given back.
      expect(tokenizations()).toBe(before)
      expect(await ordersOf(who.userId)).toHaveLength(1)
      expect((await keysOf(who.userId)).map((k) => k.key)).toEqual(['first'])
      // The first key still replays the first 202.
      const replay = await place(who, 'first')
      expect(replay.status).toBe(202)
      expect(replay.text).toBe(first.text)

      await h.publish('stock.reserved', h.stockReserved(first.body.id))
      expect((await statusOf(first.body.id)).status).toBe('awaiting_payment')
      expect((await place(who)).body.code).toBe('ORDERS.CART_ALREADY_PLACED')
      await h.publish('payment.captured', h.payment(first.body.id, who.userId, 3998))
      expect((await statusOf(first.body.id)).status).toBe('confirmed')
      // Confirmed, but the cart has not taken the ordered lines out yet: still the same cart.
      const stillThere = await place(who)
      expect(stillThere.status).toBe(409)
      expect(stillThere.body.code).toBe('ORDERS.CART_ALREADY_PLACED')
      expect(await ordersOf(who.userId)).toHaveLength(1)
    })

    it('passes payments’ 429 on a card past its decline limits: retry-after, nothing written, the cart still free', async () => {
      const who = customer()
      const payload = { ...body, payment: { ...card, cardNumber: throttledCard } }
      const reply = await place(who, 'throttled', payload)
      expect(reply.status, reply.text).toBe(429)
      expect(reply.body.code).toBe('ORDERS.TOO_MANY_DECLINES')
      expect(reply.headers.get('retry-after')).toBe('1234')
      expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/)
      expect(await ordersOf(who.userId)).toHaveLength(0)
      expect(await keysOf(who.userId)).toHaveLength(0)
      expect((await place(who)).status).toBe(202)
    })

    it('places exactly one order for concurrent placements of one cart under different keys', async () => {
      const who = customer()
      // Every request gets past the early check before any commits: the database decides.
      h.setPaymentsDelay(300)
      let replies
      try {
        replies = await Promise.all(Array.from({ length: 4 }, () => place(who, randomUUID())))
      } finally {
        h.setPaymentsDelay(0)
      }
      const statuses = replies.map((r) => r.status).sort()
      expect(statuses, replies.map((r) => r.text).join('\n')).toEqual([202, 409, 409, 409])
      const winner = replies.find((r) => r.status === 202)!
      for (const loser of replies.filter((r) => r.status === 409)) {
        expect(loser.body.code).toBe('ORDERS.CART_ALREADY_PLACED')
        expect(loser.body.detail).toContain(winner.body.id)
      }
      expect(await ordersOf(who.userId)).toHaveLength(1)
      expect(await keysOf(who.userId)).toHaveLength(1)
      expect(await outbox('order.placed', winner.body.id)).toHaveLength(1)
    })

    it('lets the cart be placed again once its order is cancelled', async () => {
      const who = customer()
      const first = await placed(who)
      expect((await place(who)).status).toBe(409)
      const cancel = await call('POST', `/orders/${first.id}/cancel`, who.bearer)
      expect(cancel.status).toBe(202)
      const again = await place(who)
      expect(again.status, again.text).toBe(202)
      expect(again.body.id).not.toBe(first.id)
      // The new order holds the cart now.
      expect((await place(who)).body.code).toBe('ORDERS.CART_ALREADY_PLACED')
      expect(await ordersOf(who.userId)).toHaveLength(2)
    })

    it('places a new cart once the confirmed order’s lines have left it, even with the same lines', async () => {
      const { userId, bearer } = await h.confirmed()
      // The cart took the ordered lines out (a write), and the shopper added the same again.
      carts.set(userId, [{ productId: 'lamp', quantity: 2 }])
      const again = await place({ bearer })
      expect(again.status, again.text).toBe(202)
      carts.set(userId, [{ productId: 'mug', quantity: 1 }])
      const other = await place({ bearer })
      expect(other.status, other.text).toBe(202)
      expect(await ordersOf(userId)).toHaveLength(3)
    })
  })
}
