import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHarness, envelope, type Harness } from './payments-harness.js'

const nextYear = new Date().getUTCFullYear() + 1

/**
 * Partial refunds (issue 19) against each database: `order.refund-requested` refunds part of a
 * captured payment once per refund id (ledger entry, `payment.refunded` with the `refundId`),
 * refuses what exceeds the capture or a payment refunded in full, retries a provider that fails,
 * and a cancellation then refunds only what is left: the ledger reconciles.
 */
describe.each(['pglite', 'postgres'] as const)('partial refunds on %s', (kind) => {
  let h: Harness
  const db = () => h.testDb.database.db

  beforeAll(async () => {
    h = await createHarness(kind)
    h.faults.refundTransient = new Map()
    h.faults.refundCalls = new Map()
  })
  afterAll(async () => {
    await h?.close()
  })

  async function processAll() {
    while ((await h.service.processPending()) > 0);
  }

  /** A captured payment of `amount` in a currency of its own (the ledger sums are this test's). */
  async function captured(amount: number, currency: string) {
    const userId = randomUUID()
    const orderId = `ord-${randomUUID()}`
    const headers = { ...(await h.internal.headers()), 'content-type': 'application/json' }
    const reply = await fetch(`${h.running.url}/internal/payment-methods`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        userId,
        card: { cardNumber: '4242424242424242', expMonth: 12, expYear: nextYear, cvc: '123' },
      }),
    })
    const { paymentMethodId } = (await reply.json()) as { paymentMethodId: string }
    await h.bus.publish(
      envelope('order.payment-requested', {
        orderId,
        userId,
        amount: { amount, currency },
        paymentMethodId,
        at: new Date().toISOString(),
      }),
    )
    await processAll()
    return { orderId, userId }
  }

  const requestRefund = (
    orderId: string,
    userId: string,
    refundId: string,
    amount: number,
    currency: string,
  ) =>
    h.bus.publish(
      envelope('order.refund-requested', {
        refundId,
        orderId,
        userId,
        amount: { amount, currency },
        at: new Date().toISOString(),
      }),
    )

  async function ledgerOf(orderId: string) {
    const rows = await db()
      .selectFrom('ledger_entries')
      .selectAll()
      .where('order_id', '=', orderId)
      .orderBy('id')
      .execute()
    return rows.map((r: any) => ({ kind: r.kind, amount: Number(r.amount) }))
  }

  async function eventsOf(orderId: string, type: string) {
    const rows = await db().selectFrom('outbox').select(['payload']).orderBy('seq').execute()
    return rows
      .map((r: any) => JSON.parse(r.payload))
      .filter((e: any) => e.data.orderId === orderId && e.type === type)
  }

  it('refunds part of a capture once per refund id; a cancellation refunds the rest; the ledger reconciles', async () => {
    const { orderId, userId } = await captured(2500, 'CHF')
    const first = randomUUID()
    await requestRefund(orderId, userId, first, 700, 'CHF')
    // Redelivered under another event id: still one refund.
    await requestRefund(orderId, userId, first, 700, 'CHF')
    await processAll()
    expect(await ledgerOf(orderId)).toEqual([
      { kind: 'authorization', amount: 2500 },
      { kind: 'capture', amount: 2500 },
      { kind: 'refund', amount: 700 },
    ])
    const refunded = await eventsOf(orderId, 'payment.refunded')
    expect(refunded).toHaveLength(1)
    expect(refunded[0].data).toMatchObject({
      refundId: first,
      amount: { amount: 700, currency: 'CHF' },
    })
    expect(h.faults.refundCalls!.get(`partial-refund:${first}`)).toBe(1)

    // More than is left: refused, nothing given back.
    const tooMuch = randomUUID()
    await requestRefund(orderId, userId, tooMuch, 1801, 'CHF')
    await processAll()
    expect((await eventsOf(orderId, 'payment.refund-failed'))[0].data).toMatchObject({
      refundId: tooMuch,
      reason: 'exceeds_captured',
    })

    // The order is cancelled: the rest, 1800, is refunded; a partial refund then is refused.
    await h.bus.publish(
      envelope('order.cancelled', {
        orderId,
        userId,
        previousStatus: 'confirmed',
        reason: 'admin_cancelled',
        lines: [],
        total: { amount: 2500, currency: 'CHF' },
        at: new Date().toISOString(),
      }),
    )
    await processAll()
    const late = randomUUID()
    await requestRefund(orderId, userId, late, 1, 'CHF')
    await processAll()
    expect(await ledgerOf(orderId)).toEqual([
      { kind: 'authorization', amount: 2500 },
      { kind: 'capture', amount: 2500 },
      { kind: 'refund', amount: 700 },
      { kind: 'refund', amount: 1800 },
    ])
    expect((await eventsOf(orderId, 'payment.refund-failed')).map((e) => e.data.reason)).toEqual([
      'exceeds_captured',
      'payment_not_refundable',
    ])
    const admin = h.tokens.bearer(randomUUID(), ['customer', 'admin'])
    const reply = await fetch(`${h.running.url}/payments/reconciliation`, {
      headers: { authorization: admin },
    })
    const body = (await reply.json()) as any
    expect(body.currencies.find((c: any) => c.currency === 'CHF')).toEqual({
      currency: 'CHF',
      authorized: 2500,
      captured: 2500,
      refunded: 2500,
      net: 0,
    })
  })

  it('asks a failing provider again later, and refunds once', async () => {
    const { orderId, userId } = await captured(1000, 'SEK')
    const refundId = randomUUID()
    const key = `partial-refund:${refundId}`
    // More failures than one pass's attempts: the pass gives up, the refund waits its backoff.
    h.faults.refundTransient!.set(key, 5)
    await requestRefund(orderId, userId, refundId, 400, 'SEK')
    await processAll()
    expect(await eventsOf(orderId, 'payment.refunded')).toHaveLength(0)
    const row = await db()
      .selectFrom('partial_refunds')
      .selectAll()
      .where('id', '=', refundId)
      .executeTakeFirstOrThrow()
    expect(row).toMatchObject({ state: 'pending', failures: 1 })
    h.shift(120_000)
    await processAll()
    expect((await eventsOf(orderId, 'payment.refunded'))[0].data).toMatchObject({ refundId })
    expect((await ledgerOf(orderId)).filter((e) => e.kind === 'refund')).toEqual([
      { kind: 'refund', amount: 400 },
    ])
  })
})
