import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { cartOf } from './fake-upstreams.js'
import type { Harness } from './harness.js'

/** The saga's consumers and the deadline sweeper. */
export function sagaCases(h: Harness): void {
  const {
    call,
    customer,
    placed,
    outbox,
    keysOf,
    statusOf,
    publish,
    stockReserved,
    payment,
    awaitingPayment,
    bus,
    tokens,
  } = h
  describe('the saga', () => {
    it('runs to confirmed: payment requested, then captured', async () => {
      const who = customer()
      const order = await placed(who)
      const reserved = await publish('stock.reserved', stockReserved(order.id))
      const [request] = await outbox('order.payment-requested', order.id)
      expect(request.data).toMatchObject({
        orderId: order.id,
        userId: who.userId,
        amount: { amount: 3998, currency: 'USD' },
      })
      expect(request.data.paymentMethodId).toMatch(/^pm_/)
      // The same envelope again (a redelivery), and a repeat under another id: no effect.
      await bus.publish(reserved)
      await publish('stock.reserved', stockReserved(order.id))
      expect(await outbox('order.payment-requested', order.id)).toHaveLength(1)
      const awaiting = await call('GET', `/orders/${order.id}`, who.bearer)
      expect(awaiting.body).toMatchObject({ status: 'awaiting_payment', payment: null })

      const captured = await publish('payment.captured', payment(order.id, who.userId, 3998))
      const shown = await call('GET', `/orders/${order.id}`, who.bearer)
      expect(shown.body).toMatchObject({
        status: 'confirmed',
        payment: { status: 'captured', last4: '4242' },
        cancellationReason: null,
      })
      await bus.publish(captured)
      const confirmations = await outbox('order.confirmed', order.id)
      expect(confirmations).toHaveLength(1)
      expect(confirmations[0].data).toMatchObject({
        userId: who.userId,
        total: { amount: 3998 },
        lines: [{ productId: 'lamp', quantity: 2 }],
        // The cart's version the order was placed from: the cart settles only what it held then.
        cartVersion: cartOf(h.carts.get(who.userId)!).version,
      })
      expect(confirmations[0].causationId).toBe(captured.id)
      expect(confirmations[0].correlationId).toBe(captured.correlationId)
    })

    it('cancels on stock.rejected (out_of_stock)', async () => {
      const who = customer()
      const order = await placed(who)
      await publish('stock.rejected', {
        orderId: order.id,
        shortLines: [{ productId: 'lamp', requested: 2, available: 1 }],
      })
      expect(await statusOf(order.id)).toMatchObject({
        status: 'cancelled',
        cancellation_reason: 'out_of_stock',
      })
      const [event] = await outbox('order.cancelled', order.id)
      expect(event.data).toMatchObject({
        previousStatus: 'pending',
        reason: 'out_of_stock',
        lines: [{ productId: 'lamp', quantity: 2 }],
        total: { amount: 3998 },
      })
    })

    it.each([
      ['insufficient_funds', 'payment_declined', 'declined'],
      ['card_declined', 'payment_declined', 'declined'],
      ['provider_error', 'payment_failed', 'failed'],
    ])(
      'payment.declined %s: payment_failed (%s), its stock still held until the deadline',
      async (reason, generic, status) => {
        const { userId, bearer, order } = await awaitingPayment()
        await publish('payment.declined', payment(order.id, userId, 3998, { reason, attempt: 1 }))
        expect(await statusOf(order.id)).toMatchObject({
          status: 'payment_failed',
          cancellation_reason: null,
          payment_status: status,
        })
        // Nothing released: no cancellation went out.
        expect(await outbox('order.cancelled', order.id)).toHaveLength(0)
        const [failed] = await outbox('order.payment-failed', order.id)
        expect(failed.data).toMatchObject({
          orderId: order.id,
          userId,
          attempt: 1,
          reason: generic,
        })
        // The shopper sees a generic reason and the deadline; an admin sees which decline it was.
        for (const path of [`/orders/${order.id}`, '/orders']) {
          const own = await h.call('GET', path, bearer)
          const seen = path === '/orders' ? own.body.items[0] : own.body
          expect(seen).toMatchObject({
            id: order.id,
            status: 'payment_failed',
            cancellationReason: null,
            lastPaymentError: generic,
            paymentAttempt: 1,
            paymentDueBy: failed.data.paymentDueBy,
          })
          expect(seen).not.toHaveProperty('declineReason')
          expect(own.text).not.toContain(reason)
        }
        const dueIn = Date.parse(failed.data.paymentDueBy) - Date.now()
        expect(dueIn).toBeGreaterThan(500_000) // the default 600 s from the hold
        const byAdmin = await h.call('GET', `/orders/${order.id}`, h.admin)
        expect(byAdmin.body).toMatchObject({ lastPaymentError: generic, declineReason: reason })
        const listed = await h.call(
          'GET',
          '/orders?all=true&status=payment_failed&limit=100',
          h.admin,
        )
        expect(listed.body.items.find((o: any) => o.id === order.id)).toMatchObject({
          declineReason: reason,
        })
      },
    )

    it('cancels on an expired hold; ignores a release of its own cancellation', async () => {
      const { order } = await awaitingPayment()
      const lines = [{ productId: 'lamp', quantity: 2 }]
      await publish('stock.released', { orderId: order.id, reason: 'cancelled', lines })
      expect((await statusOf(order.id)).status).toBe('awaiting_payment')
      await publish('stock.released', { orderId: order.id, reason: 'expired', lines })
      expect(await statusOf(order.id)).toMatchObject({
        status: 'cancelled',
        cancellation_reason: 'reservation_expired',
      })
      expect(await outbox('order.cancelled', order.id)).toHaveLength(1)
    })

    it('acknowledges events of orders it does not know, and late ones', async () => {
      const ghost = randomUUID()
      await publish('stock.reserved', stockReserved(ghost))
      await publish('payment.captured', payment(ghost, 'u', 1))
      await publish('payment.refunded', payment(ghost, 'u', 1))
      // A decline caused by a cancellation does not touch the order's status.
      const { userId, order } = await awaitingPayment()
      await call('POST', `/orders/${order.id}/cancel`, tokens.bearer(userId))
      await publish(
        'payment.declined',
        payment(order.id, userId, 3998, { reason: 'order_cancelled' }),
      )
      expect(await statusOf(order.id)).toMatchObject({
        status: 'cancelled',
        cancellation_reason: 'customer_cancelled',
      })
      expect(await bus.deadLetters.list('orders')).toEqual([])
    })
  })

  describe('deadlines', () => {
    it('cancels pending and awaiting_payment orders past their deadline; late events change nothing', async () => {
      const who = customer()
      const stuck = await placed(who)
      const unpaid = await awaitingPayment()
      try {
        h.setClockShift(29_000)
        await h.sweep()
        expect((await statusOf(stuck.id)).status).toBe('pending')

        h.setClockShift(31_000)
        expect(await h.sweep()).toBeGreaterThanOrEqual(1)
        expect(await statusOf(stuck.id)).toMatchObject({
          status: 'cancelled',
          cancellation_reason: 'stock_timeout',
        })
        expect((await statusOf(unpaid.order.id)).status).toBe('awaiting_payment')
        const [timedOut] = await outbox('order.cancelled', stuck.id)
        expect(timedOut.data).toMatchObject({
          previousStatus: 'pending',
          reason: 'stock_timeout',
        })

        h.setClockShift(61_000)
        expect(await h.sweep()).toBeGreaterThanOrEqual(1)
        expect(await statusOf(unpaid.order.id)).toMatchObject({
          status: 'cancelled',
          cancellation_reason: 'payment_timeout',
        })
        expect(await h.sweep()).toBe(0)

        // A late stock.reserved asks for no payment; a late capture is only noted.
        await publish('stock.reserved', stockReserved(stuck.id))
        expect((await statusOf(stuck.id)).status).toBe('cancelled')
        expect(await outbox('order.payment-requested', stuck.id)).toHaveLength(0)
        await publish('payment.captured', payment(unpaid.order.id, unpaid.userId, 3998))
        expect(await statusOf(unpaid.order.id)).toMatchObject({
          status: 'cancelled',
          payment_status: 'captured',
        })
        expect(await outbox('order.confirmed', unpaid.order.id)).toHaveLength(0)
        // Payments refunds on its own; the order hears of it.
        await publish('payment.refunded', payment(unpaid.order.id, unpaid.userId, 3998))
        expect((await statusOf(unpaid.order.id)).payment_status).toBe('refunded')
      } finally {
        h.setClockShift(0)
      }
    })

    it('forgets idempotency keys after their time to live', async () => {
      const who = customer()
      await placed(who)
      try {
        h.setClockShift(23 * 3_600_000)
        await h.sweep()
        expect(await keysOf(who.userId)).toHaveLength(1)
        h.setClockShift(25 * 3_600_000)
        await h.sweep()
        expect(await keysOf(who.userId)).toHaveLength(0)
      } finally {
        h.setClockShift(0)
      }
    })
  })
}
