import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { card, throttledCard, type Harness } from './harness.js'

const otherCard = { ...card, cardNumber: '5555555555554444' }

/**
 * A decline is not the end (issue 18): an order `payment_failed` keeps its stock until its
 * payment deadline, the owner pays it again with another card (idempotent per key), and the
 * deadline or the shopper's cancel ends it.
 */
export function retryCases(h: Harness): void {
  const { call, customer, outbox, statusOf, publish, payment, awaitingPayment } = h

  /** An order declined once: `payment_failed`. */
  async function declined(who = customer()) {
    const result = await awaitingPayment(who)
    await publish(
      'payment.declined',
      payment(result.order.id, result.userId, 3998, { reason: 'card_declined', attempt: 1 }),
    )
    expect((await statusOf(result.order.id)).status).toBe('payment_failed')
    return result
  }

  const retry = (
    who: { bearer: string },
    orderId: string,
    key: string = randomUUID(),
    payload: unknown = { payment: otherCard },
  ) => call('POST', `/orders/${orderId}/payment-attempts`, who.bearer, { body: payload, key })

  describe('a decline is not the end: payment_failed, retries, the payment deadline', () => {
    it('a retry with another card: the next attempt is charged, the order confirmed once', async () => {
      const who = customer()
      const { order } = await declined(who)
      const reply = await retry(who, order.id)
      expect(reply.status, reply.text).toBe(202)
      expect(reply.body).toMatchObject({
        id: order.id,
        status: 'awaiting_payment',
        payment: null,
        paymentAttempt: 2,
      })
      expect(reply.body).not.toHaveProperty('lastPaymentError')
      const requests = await outbox('order.payment-requested', order.id)
      expect(requests.map((e: any) => e.data.attempt)).toEqual([1, 2])
      // The new card's token, never its number.
      expect(requests[1].data.paymentMethodId).not.toBe(requests[0].data.paymentMethodId)
      expect(JSON.stringify(requests[1])).not.toContain(otherCard.cardNumber)
      const [row] = await h
        .db()
        .selectFrom('orders')
        .select(['payment_attempt', 'card_last4', 'payment_method_id'])
        .where('id', '=', order.id)
        .execute()
      expect(row).toMatchObject({ payment_attempt: 2, card_last4: '4444' })

      // The first attempt's decline again (a redelivery): stale, nothing moves.
      await publish(
        'payment.declined',
        payment(order.id, who.userId, 3998, { reason: 'card_declined', attempt: 1 }),
      )
      expect((await statusOf(order.id)).status).toBe('awaiting_payment')
      await publish(
        'payment.captured',
        payment(order.id, who.userId, 3998, { last4: '4444', attempt: 2 }),
      )
      expect(await statusOf(order.id)).toMatchObject({
        status: 'confirmed',
        payment_status: 'captured',
      })
      expect(await outbox('order.confirmed', order.id)).toHaveLength(1)
      const shown = await call('GET', `/orders/${order.id}`, who.bearer)
      expect(shown.body).toMatchObject({ status: 'confirmed', paymentAttempt: 2 })
      expect(shown.body).not.toHaveProperty('paymentDueBy')
      // Paid: no further attempt.
      const again = await retry(who, order.id)
      expect(again.status).toBe(409)
      expect(again.body.code).toBe('ORDERS.PAYMENT_NOT_RETRYABLE')
    })

    it('the same Idempotency-Key twice makes one attempt and replays its answer', async () => {
      const who = customer()
      const { order } = await declined(who)
      const key = randomUUID()
      const [first, second] = await Promise.all([
        retry(who, order.id, key),
        retry(who, order.id, key),
      ])
      expect([first.status, second.status]).toEqual([202, 202])
      expect(second.text).toBe(first.text)
      const third = await retry(who, order.id, key)
      expect(third.status).toBe(202)
      expect(third.headers.get('idempotent-replayed')).toBe('true')
      expect(third.text).toBe(first.text)
      expect(
        (await outbox('order.payment-requested', order.id)).map((e: any) => e.data.attempt),
      ).toEqual([1, 2])
      // The same key with another card is another request: refused.
      const reused = await retry(who, order.id, key, { payment: card })
      expect(reused.status).toBe(422)
      expect(reused.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REUSED')
    })

    it('refuses a retry of an order whose payment has not failed (409), of another’s (404), and bad requests', async () => {
      const who = customer()
      const { order } = await awaitingPayment(who)
      const notFailed = await retry(who, order.id)
      expect(notFailed.status).toBe(409)
      expect(notFailed.body.code).toBe('ORDERS.PAYMENT_NOT_RETRYABLE')
      expect(notFailed.body.detail).toContain('awaiting_payment')
      const failed = await declined()
      for (const stranger of [customer(), { bearer: h.admin }]) {
        const reply = await retry(stranger, failed.order.id)
        expect(reply.status).toBe(404)
        expect(reply.body.code).toBe('ORDERS.NOT_FOUND')
      }
      const unknown = await retry(failed, randomUUID())
      expect(unknown.status).toBe(404)
      const noKey = await call(
        'POST',
        `/orders/${failed.order.id}/payment-attempts`,
        failed.bearer,
        {
          body: { payment: otherCard },
        },
      )
      expect(noKey.status).toBe(400)
      expect(noKey.body.code).toBe('ORDERS.IDEMPOTENCY_KEY_REQUIRED')
      const noCard = await retry(failed, failed.order.id, randomUUID(), {})
      expect(noCard.status).toBe(400)
      const badCard = await retry(failed, failed.order.id, randomUUID(), {
        payment: { ...card, cardNumber: '4242424242424241' },
      })
      expect(badCard.status).toBe(400)
      // Past the card-testing limits: payments' 429 passes on, nothing written.
      const throttled = await retry(failed, failed.order.id, randomUUID(), {
        payment: { ...card, cardNumber: throttledCard },
      })
      expect(throttled.status).toBe(429)
      expect(throttled.body.code).toBe('ORDERS.TOO_MANY_DECLINES')
      expect((await statusOf(failed.order.id)).status).toBe('payment_failed')
      expect(await outbox('order.payment-requested', failed.order.id)).toHaveLength(1)
      // Nothing stored under the refused keys: the same key may be used again.
      const key = randomUUID()
      expect((await retry(customer(), failed.order.id, key)).status).toBe(404)
      expect((await retry(failed, failed.order.id, key)).status).toBe(202)
    })

    it('the shopper cancels a payment_failed order: cancelled, its stock released', async () => {
      const who = customer()
      const { order } = await declined(who)
      const reply = await call('POST', `/orders/${order.id}/cancel`, who.bearer)
      expect(reply.status, reply.text).toBe(202)
      expect(reply.body).toMatchObject({
        status: 'cancelled',
        cancellationReason: 'customer_cancelled',
      })
      const [event] = await outbox('order.cancelled', order.id)
      expect(event.data).toMatchObject({
        previousStatus: 'payment_failed',
        reason: 'customer_cancelled',
        lines: [{ productId: 'lamp', quantity: 2 }],
      })
      expect((await retry(who, order.id)).status).toBe(409)
    })

    it('at the payment deadline a payment_failed order is cancelled (payment_declined) and its stock released', async () => {
      const who = customer()
      const { order } = await declined(who)
      const due = Date.parse(
        (await call('GET', `/orders/${order.id}`, who.bearer)).body.paymentDueBy,
      )
      try {
        h.setClockShift(due - Date.now() - 5_000)
        await h.sweep()
        expect((await statusOf(order.id)).status).toBe('payment_failed')
        h.setClockShift(due - Date.now() + 1_000)
        // Past the deadline, before the sweeper ran: no retry any more.
        const late = await retry(who, order.id)
        expect(late.status).toBe(409)
        expect(late.body.code).toBe('ORDERS.PAYMENT_NOT_RETRYABLE')
        expect(await h.sweep()).toBeGreaterThanOrEqual(1)
        expect(await statusOf(order.id)).toMatchObject({
          status: 'cancelled',
          cancellation_reason: 'payment_declined',
        })
        const [event] = await outbox('order.cancelled', order.id)
        expect(event.data).toMatchObject({
          previousStatus: 'payment_failed',
          reason: 'payment_declined',
          lines: [{ productId: 'lamp', quantity: 2 }],
        })
        // A retry's decline arriving after the deadline ends the order at once.
        const other = customer()
        const { order: second } = await awaitingPayment(other)
        h.setClockShift(due - Date.now() + 700_000)
        await publish(
          'payment.declined',
          payment(second.id, other.userId, 3998, { reason: 'card_declined', attempt: 1 }),
        )
        expect(await statusOf(second.id)).toMatchObject({
          status: 'cancelled',
          cancellation_reason: 'payment_declined',
        })
      } finally {
        h.setClockShift(0)
      }
    })
  })
}
