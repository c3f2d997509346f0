import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { createOutbox, type Database } from '@emporium/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createKyselyPaymentStore } from '../src/infra/kysely-payment-store.js'
import { toRecord } from '../src/infra/rows.js'
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

  it('returns the payment as the transition stored it, its ledger and lease written with it', async () => {
    const { first: model } = await twoAttempts()
    const store = createKyselyPaymentStore({
      database: h.testDb.database as Database<PaymentsTables>,
      outbox: createOutbox({ source: 'payments' }),
    })
    // A copy of it for an order of its own, leased to this test, so that the service's own
    // processor leaves it alone.
    const first = `pay-${randomUUID()}`
    await sql`insert into payments
      select (jsonb_populate_record(null::payments, to_jsonb(p) || jsonb_build_object(
        'id', ${first}::text, 'order_id', ${`ord-${randomUUID()}`}::text, 'state', 'pending',
        'claim_token', 'lease-1', 'claimed_until', now() + interval '10 minutes',
        'failures', 2, 'capture_id', null, 'authorization_id', null))).*
      from payments p where p.id = ${model}`.execute(db())
    const at = new Date('2026-12-06T18:30:00.123Z')
    const result = await store.transition(
      first,
      at,
      () => ({
        state: 'captured',
        authorizationId: 'auth_1',
        captureId: 'cap_1',
        ledger: [
          { kind: 'authorization', reference: 'auth_1' },
          { kind: 'capture', reference: 'cap_1' },
        ],
      }),
      'lease-1',
    )
    const stored = await db()
      .selectFrom('payments')
      .selectAll()
      .where('id', '=', first)
      .executeTakeFirstOrThrow()
    expect(result.released).toBe(true)
    expect(result.payment).toEqual(toRecord(stored))
    expect(result.payment).toMatchObject({
      state: 'captured',
      authorizationId: 'auth_1',
      captureId: 'cap_1',
      failures: 0,
      updatedAt: at,
    })
    expect(stored).toMatchObject({ claim_token: null, claimed_until: null })
    const ledger = await db()
      .selectFrom('ledger_entries')
      .select(['kind', 'provider_reference'])
      .where('payment_id', '=', first)
      .orderBy('kind')
      .execute()
    expect(ledger).toEqual([
      { kind: 'authorization', provider_reference: 'auth_1' },
      { kind: 'capture', provider_reference: 'cap_1' },
    ])
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
