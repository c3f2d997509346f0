import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { card, type Harness } from './harness.js'

/** Cancel, ship, ownership, listing and the OpenAPI document. */
export function manageCases(h: Harness): void {
  const { call, customer, admin, placed, outbox, statusOf, confirmed } = h
  describe('cancel and ship', () => {
    it('cancels a confirmed order (previousStatus confirmed), once', async () => {
      const { userId, order, bearer } = await confirmed()
      const reply = await call('POST', `/orders/${order.id}/cancel`, bearer)
      expect(reply.status).toBe(202)
      expect(reply.body).toMatchObject({
        status: 'cancelled',
        cancellationReason: 'customer_cancelled',
      })
      const [event] = await outbox('order.cancelled', order.id)
      expect(event.data).toMatchObject({
        userId,
        previousStatus: 'confirmed',
        reason: 'customer_cancelled',
        lines: [{ productId: 'lamp', quantity: 2 }],
        total: { amount: 3998, currency: 'USD' },
      })
      const again = await call('POST', `/orders/${order.id}/cancel`, bearer)
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('ORDERS.ALREADY_CANCELLED')
      expect(await outbox('order.cancelled', order.id)).toHaveLength(1)
    })

    it('ships only confirmed orders, only for an admin', async () => {
      const who = customer()
      const pending = await placed(who)
      const notYet = await call('POST', `/orders/${pending.id}/ship`, admin)
      expect(notYet.status).toBe(409)
      expect(notYet.body.code).toBe('ORDERS.INVALID_TRANSITION')

      const { order, bearer } = await confirmed()
      expect((await call('POST', `/orders/${order.id}/ship`, bearer)).status).toBe(403)
      expect((await call('POST', `/orders/${randomUUID()}/ship`, admin)).status).toBe(404)
      const shipped = await call('POST', `/orders/${order.id}/ship`, admin)
      expect(shipped.status).toBe(200)
      expect(shipped.body.status).toBe('shipped')
      expect(await outbox('order.shipped', order.id)).toHaveLength(1)
      const twice = await call('POST', `/orders/${order.id}/ship`, admin)
      expect(twice.body.code).toBe('ORDERS.INVALID_TRANSITION')
      // Issue 19: the ship is audited once, with who and the status before and after; the
      // refused ones (a shopper's, an order not confirmed yet, the second) record nothing.
      const audits = (await outbox('audit.recorded')).filter(
        (e: any) => e.data.entity.id === order.id || e.data.entity.id === pending.id,
      )
      const adminId = JSON.parse(Buffer.from(admin.split('.')[1]!, 'base64url').toString()).sub
      expect(audits.map((e: any) => e.data)).toMatchObject([
        {
          actor: { userId: adminId, roles: ['customer', 'admin'] },
          action: 'order.shipped',
          entity: { type: 'order', id: order.id },
          before: { status: 'confirmed' },
          after: { status: 'shipped' },
        },
      ])
      const cancel = await call('POST', `/orders/${order.id}/cancel`, bearer)
      expect(cancel.status).toBe(409)
      expect(cancel.body.code).toBe('ORDERS.ALREADY_SHIPPED')
    })

    it('hides someone else’s order (404); an admin sees and cancels it (admin_cancelled)', async () => {
      const owner = customer()
      const order = await placed(owner)
      const stranger = customer()
      expect((await call('GET', `/orders/${order.id}`, stranger.bearer)).status).toBe(404)
      const theirs = await call('POST', `/orders/${order.id}/cancel`, stranger.bearer)
      expect(theirs.status).toBe(404)
      expect((await statusOf(order.id)).status).toBe('pending')
      expect((await call('GET', `/orders/${order.id}`, admin)).status).toBe(200)
      const cancelled = await call('POST', `/orders/${order.id}/cancel`, admin)
      expect(cancelled.status).toBe(202)
      expect(cancelled.body.cancellationReason).toBe('admin_cancelled')
      const [event] = await outbox('order.cancelled', order.id)
      expect(event.data).toMatchObject({ previousStatus: 'pending', reason: 'admin_cancelled' })
    })
  })

  describe('listing', () => {
    it('lists the caller’s orders newest first, page by page', async () => {
      const who = customer()
      const ids: string[] = []
      for (let i = 0; i < 3; i++) {
        // A cart is placed once while its order is in flight: the shopper fills it anew each time.
        h.carts.set(who.userId, [{ productId: 'lamp', quantity: i + 1 }])
        ids.push((await placed(who)).id)
      }
      const first = await call('GET', '/orders?limit=2', who.bearer)
      expect(first.status).toBe(200)
      expect(first.body.items.map((o: any) => o.id)).toEqual([ids[2], ids[1]])
      expect(first.body.nextCursor).toEqual(expect.any(String))
      const second = await call(
        'GET',
        `/orders?limit=2&cursor=${first.body.nextCursor}`,
        who.bearer,
      )
      expect(second.body.items.map((o: any) => o.id)).toEqual([ids[0]])
      expect(second.body.nextCursor).toBeNull()
      await call('POST', `/orders/${ids[1]}/cancel`, who.bearer)
      const cancelled = await call('GET', '/orders?status=cancelled', who.bearer)
      expect(cancelled.body.items.map((o: any) => o.id)).toEqual([ids[1]])
      const bad = await call('GET', '/orders?cursor=nonsense', who.bearer)
      expect(bad.status).toBe(400)
      expect(bad.body.code).toBe('ORDERS.INVALID_CURSOR')
    })

    it('gives everyone’s orders to an admin with all=true, a 403 to a customer', async () => {
      const a = customer()
      const b = customer()
      const orderA = await placed(a)
      const orderB = await placed(b)
      const forbidden = await call('GET', '/orders?all=true', a.bearer)
      expect(forbidden.status).toBe(403)
      const own = await call('GET', '/orders', a.bearer)
      expect(own.body.items.map((o: any) => o.id)).toEqual([orderA.id])
      const all = await call('GET', '/orders?all=true&limit=100', admin)
      const ids = all.body.items.map((o: any) => o.id)
      expect(ids).toEqual(expect.arrayContaining([orderA.id, orderB.id]))
      expect(ids.indexOf(orderB.id)).toBeLessThan(ids.indexOf(orderA.id))
    })

    it('never logged the card', () => {
      expect(h.logLines.length).toBeGreaterThan(0)
      const all = h.logLines.join('')
      expect(all).not.toContain(card.cardNumber)
      expect(all).not.toContain('4242424242424241')
      expect(all).not.toContain('"cvc"')
    })

    it('documents its routes in /openapi.json', async () => {
      const doc = await call('GET', '/openapi.json')
      expect(Object.keys(doc.body.paths)).toEqual(
        expect.arrayContaining([
          '/orders',
          '/orders/{id}',
          '/orders/{id}/cancel',
          '/orders/{id}/ship',
        ]),
      )
      expect(doc.body.paths['/orders'].post.responses['202']).toBeDefined()
    })
  })
}
