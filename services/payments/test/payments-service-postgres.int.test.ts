import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, envelope, type Harness } from './payments-harness.js'
import { paymentsSuite } from './payments-service-suite.js'

paymentsSuite('postgres')

describe('two processors on one PostgreSQL database', () => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness('postgres', { batchSize: 3 })
  })

  afterAll(async () => {
    await h?.close()
  })

  it('race on the same pending payments and capture each exactly once', async () => {
    const other = await h.secondInstance({ batchSize: 3 })
    const numbers = ['4242424242424242', '4000000000000119', '4000000000000259']
    const orderIds: string[] = []
    for (let i = 0; i < 24; i++) {
      const userId = randomUUID()
      const orderId = `race-${i}-${randomUUID()}`
      const reply = await fetch(`${h.running.url}/internal/payment-methods`, {
        method: 'POST',
        headers: await h.internal.headers(),
        body: JSON.stringify({
          userId,
          card: { cardNumber: numbers[i % 3], expMonth: 12, expYear: 2099, cvc: '123' },
        }),
      })
      const { paymentMethodId } = (await reply.json()) as { paymentMethodId: string }
      await h.bus.publish(
        envelope('order.payment-requested', {
          orderId,
          userId,
          amount: { amount: 100 + i, currency: 'USD' },
          paymentMethodId,
          at: new Date().toISOString(),
        }),
      )
      orderIds.push(orderId)
    }

    const db = h.testDb.database.db
    const due = async () =>
      Number(
        (
          await db
            .selectFrom('payments')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('state', 'in', ['pending', 'authorized', 'refund_pending'])
            .executeTakeFirstOrThrow()
        ).n,
      )
    const worked: number[] = []
    for (let round = 0; round < 50 && (await due()) > 0; round++) {
      worked.push(
        ...(await Promise.all([
          h.service.processPending(),
          other.service.processPending(),
          h.service.processPending(),
          other.service.processPending(),
        ])),
      )
    }
    expect(await due()).toBe(0)
    // Both instances got work, and no payment was claimed twice at once.
    expect(worked.reduce((a, b) => a + b, 0)).toBe(24)

    const captures = await db
      .selectFrom('ledger_entries')
      .select(['order_id'])
      .where('kind', '=', 'capture')
      .where('order_id', 'in', orderIds)
      .execute()
    expect(captures.map((c) => c.order_id).sort()).toEqual([...orderIds].sort())
    const ops = await db
      .selectFrom('simulated_acquirer')
      .select('key')
      .where('key', 'like', 'captured:%')
      .execute()
    expect(ops).toHaveLength(24)
    const events = await db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'payment.captured')
      .execute()
    expect(events).toHaveLength(24)
    for (const orderId of orderIds) {
      expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBeLessThanOrEqual(3)
    }
  })
})
