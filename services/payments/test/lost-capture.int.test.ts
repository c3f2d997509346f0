import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, envelope, type Harness } from './payments-harness.js'

// Found by the chaos runner (`npm run chaos`, the payment outage with lost answers): a capture
// the acquirer made but whose answer was lost, then the order cancelled (its payment deadline
// passed while the capture waited for its retry). The money must come back: the payment is
// captured and refunded, never "voided" with the capture left standing at the acquirer.
describe('a capture whose answer was lost, then the order cancelled', () => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness('postgres')
  })

  afterAll(async () => {
    await h?.close()
  })

  async function processAll() {
    while ((await h.service.processPending()) > 0) {
      // until nothing is due
    }
  }

  it('ends refunded, the acquirer capture in the ledger and given back', async () => {
    const orderId = `ord-${randomUUID()}`
    const userId = randomUUID()
    const tokenized = await fetch(`${h.running.url}/internal/payment-methods`, {
      method: 'POST',
      headers: await h.internal.headers(),
      body: JSON.stringify({
        userId,
        card: { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' },
      }),
    })
    const { paymentMethodId } = (await tokenized.json()) as { paymentMethodId: string }
    h.faults.crashAfterCapture.add(orderId)
    await h.bus.publish(
      envelope('order.payment-requested', {
        orderId,
        userId,
        amount: { amount: 2500, currency: 'USD' },
        paymentMethodId,
        at: new Date().toISOString(),
      }),
    )
    await processAll()
    const db = h.testDb.database.db
    const payment = await db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
    // The acquirer took the money; we know of nothing (the authorization and the capture are
    // recorded together): the payment is still pending, claimed once. Its order cancelled, it
    // must not be declined unasked: the hold is asked for again, the void refused, the capture
    // found and refunded.
    expect(payment).toMatchObject({ state: 'pending', authorization_id: null, claims: 1 })
    // The acquirer's answer to the authorize call, kept under its idempotency key.
    const held = await db
      .selectFrom('simulated_acquirer')
      .select('value')
      .where('key', '=', `op:${orderId}:authorize`)
      .executeTakeFirstOrThrow()
    const authorized = /auth_sim_[0-9a-f-]+/.exec(held.value ?? '')?.[0]
    expect(authorized).toBeDefined()
    await h.bus.publish(
      envelope('order.cancelled', {
        orderId,
        userId,
        previousStatus: 'awaiting_payment',
        reason: 'payment_timeout',
        lines: [],
        total: { amount: 2500, currency: 'USD' },
        at: new Date().toISOString(),
      }),
    )
    h.shift(5 * 60_000)
    await processAll()

    const after = await db
      .selectFrom('payments')
      .selectAll()
      .where('order_id', '=', orderId)
      .executeTakeFirstOrThrow()
    const ledger = await db
      .selectFrom('ledger_entries')
      .select(['kind', 'amount'])
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute()
    expect(after.state).toBe('refunded')
    expect(ledger.map((e) => e.kind)).toEqual(['authorization', 'capture', 'refund'])
    const captured = await db
      .selectFrom('simulated_acquirer')
      .select('value')
      .where('key', '=', `captured:${authorized}`)
      .executeTakeFirstOrThrow()
    const captureId = (JSON.parse(captured.value!) as { id: string }).id
    expect(after.capture_id).toBe(captureId)
    expect(after.authorization_id).toBe(authorized)
    const refunded = await db
      .selectFrom('simulated_acquirer')
      .select('key')
      .where('key', '=', `refunded:${captureId}`)
      .execute()
    expect(refunded).toHaveLength(1)
  })
})
