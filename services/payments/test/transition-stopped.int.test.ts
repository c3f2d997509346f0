import { randomUUID } from 'node:crypto'
import { createOutbox, type Database } from '@emporium/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKyselyPaymentStore } from '../src/infra/kysely-payment-store.js'
import type { PaymentsTables } from '../src/infra/tables.js'
import { createHarness, envelope, type Harness } from './payments-harness.js'

/**
 * A payment's recorded step reads, with the payment it locks, whether its order must not be
 * charged: cancelled, or captured by another of its attempts (issue 18) — never by its own
 * capture. One statement since 2026-12-06; each case below fails if that read is wrong.
 */
describe.each(['postgres', 'pglite'] as const)('a transition sees a stopped order (%s)', (kind) => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness(kind)
  })

  afterAll(async () => {
    await h?.close()
  })

  const db = () => (h.testDb.database as Database<PaymentsTables>).db

  /** Two pending attempts of one new order; returns the order's and the payments' ids. */
  async function twoAttempts() {
    const orderId = `ord-${randomUUID()}`
    const userId = randomUUID()
    const tokenized = await fetch(`${h.running.url}/internal/payment-methods`, {
      method: 'POST',
      headers: { ...(await h.internal.headers()), 'content-type': 'application/json' },
      body: JSON.stringify({
        userId,
        card: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' },
      }),
    })
    expect(tokenized.status).toBe(201)
    const { paymentMethodId } = (await tokenized.json()) as { paymentMethodId: string }
    for (const attempt of [1, 2]) {
      await h.bus.publish(
        envelope('order.payment-requested', {
          orderId,
          userId,
          amount: { amount: 1200, currency: 'USD' },
          paymentMethodId,
          attempt,
          at: new Date().toISOString(),
        }),
      )
    }
    let rows: { id: string; attempt: number }[] = []
    for (let i = 0; i < 200 && rows.length < 2; i++) {
      rows = await db()
        .selectFrom('payments')
        .select(['id', 'attempt'])
        .where('order_id', '=', orderId)
        .orderBy('attempt')
        .execute()
      if (rows.length < 2) await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(rows).toHaveLength(2)
    return { orderId, first: rows[0]!.id, second: rows[1]!.id }
  }

  /** What `decide` was told for `paymentId` (it changes nothing). */
  async function seen(paymentId: string): Promise<boolean> {
    const store = createKyselyPaymentStore({
      database: h.testDb.database as Database<PaymentsTables>,
      outbox: createOutbox({ source: 'payments' }),
    })
    let told: boolean | undefined
    await store.transition(paymentId, new Date(), (_payment, cancelled) => {
      told = cancelled
      return undefined
    })
    expect(told).toBeTypeOf('boolean')
    return told!
  }

  it('another attempt captured stops a payment; its own capture does not', async () => {
    const { first, second } = await twoAttempts()
    expect(await seen(first)).toBe(false)
    expect(await seen(second)).toBe(false)
    await db()
      .updateTable('payments')
      .set({ capture_id: `cap_${randomUUID()}` })
      .where('id', '=', first)
      .execute()
    expect(await seen(second)).toBe(true)
    expect(await seen(first)).toBe(false)
  })

  it('a cancelled order stops every attempt', async () => {
    const { orderId, first, second } = await twoAttempts()
    await db()
      .insertInto('order_cancellations')
      .values({
        order_id: orderId,
        reason: 'payment_timeout',
        cancelled_at: new Date(),
        recorded_at: new Date(),
      })
      .execute()
    expect(await seen(first)).toBe(true)
    expect(await seen(second)).toBe(true)
  })
})
