import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '@emporium/platform'
import { createHarness, envelope, type Harness } from './payments-harness.js'

const cards = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
}
const nextYear = new Date().getUTCFullYear() + 1
const card = (cardNumber: string) => ({ cardNumber, expMonth: 12, expYear: nextYear, cvc: '987' })
const windowSeconds = 3600

/**
 * Card testing (issue 13, item 9): velocity limits on declined payments per user and per card
 * fingerprint, refused at tokenization with 429 and retry-after before the provider is asked,
 * lifted when the window has passed (the service's clock moved, no sleeping).
 */
for (const kind of ['pglite', 'postgres'] as DatabaseKind[]) {
  describe(`decline velocity limits on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind, {
        env: {
          PAYMENTS_MAX_DECLINES_PER_USER: '4',
          PAYMENTS_MAX_DECLINES_PER_CARD: '3',
          PAYMENTS_DECLINE_WINDOW_SECONDS: String(windowSeconds),
        },
      })
    })
    afterAll(async () => {
      await h?.close()
    })
    // Each case starts with no history (and the clock where it is).
    beforeEach(async () => {
      const db = h.testDb.database.db
      for (const table of [
        'ledger_entries',
        'payments',
        'payment_methods',
        'order_cancellations',
      ] as const)
        await db.deleteFrom(table).execute()
    })

    async function tokenize(number: string, userId: string) {
      const response = await fetch(`${h.running.url}/internal/payment-methods`, {
        method: 'POST',
        headers: await h.internal.headers(),
        body: JSON.stringify({ userId, card: card(number) }),
      })
      const text = await response.text()
      return { status: response.status, headers: response.headers, body: JSON.parse(text) }
    }

    /** Tokenizes and charges one order; resolves once the processor has decided it. */
    async function pay(number: string, userId: string, options: { cancelled?: boolean } = {}) {
      const method = await tokenize(number, userId)
      expect(method.status, JSON.stringify(method.body)).toBe(201)
      const orderId = `ord-${randomUUID()}`
      if (options.cancelled) {
        await h.bus.publish(
          envelope('order.cancelled', {
            orderId,
            userId,
            previousStatus: 'awaiting_payment',
            reason: 'customer_cancelled',
            lines: [],
            total: { amount: 2500, currency: 'USD' },
            at: new Date().toISOString(),
          }),
        )
      }
      await h.bus.publish(
        envelope('order.payment-requested', {
          orderId,
          userId,
          amount: { amount: 2500, currency: 'USD' },
          paymentMethodId: method.body.paymentMethodId,
          at: new Date().toISOString(),
        }),
      )
      while ((await h.service.processPending()) > 0);
      const row = await h.testDb.database.db
        .selectFrom('payments')
        .select('state')
        .where('order_id', '=', orderId)
        .executeTakeFirstOrThrow()
      return row.state as string
    }

    function expectRefused(reply: Awaited<ReturnType<typeof tokenize>>, maxSeconds: number) {
      expect(reply.status, JSON.stringify(reply.body)).toBe(429)
      expect(reply.headers.get('content-type')).toMatch(/application\/problem\+json/)
      expect(reply.body.code).toBe('PAYMENTS.TOO_MANY_DECLINES')
      const retryAfter = Number(reply.headers.get('retry-after'))
      // Generous margins: the declines happened a few seconds (at most) before.
      expect(retryAfter).toBeGreaterThan(maxSeconds - 120)
      expect(retryAfter).toBeLessThanOrEqual(maxSeconds)
      // Not which decline it was, nor which limit.
      expect(JSON.stringify(reply.body)).not.toMatch(/card_declined|insufficient_funds/)
    }

    it('many declined cards for one user: refused (even a good card) before the provider, until the window passes', async () => {
      const user = randomUUID()
      for (const number of [cards.declined, cards.insufficient, cards.declined, cards.insufficient])
        expect(await pay(number, user)).toBe('declined')
      const calls = h.faults.tokenizeCalls
      expectRefused(await tokenize(cards.approved, user), windowSeconds)
      expectRefused(await tokenize(cards.declined, user), windowSeconds)
      expect(h.faults.tokenizeCalls).toBe(calls)
      expect(
        await h.testDb.database.db.selectFrom('payment_methods').selectAll().execute(),
      ).toHaveLength(4)
      // Another user is not held back by this one (each card declined only twice).
      expect((await tokenize(cards.approved, randomUUID())).status).toBe(201)

      h.shift(windowSeconds * 1000 + 1000)
      expect(await pay(cards.approved, user)).toBe('captured')
    })

    it('one card across users: refused for anyone once it has been declined too often', async () => {
      for (let i = 0; i < 3; i++) expect(await pay(cards.declined, randomUUID())).toBe('declined')
      const calls = h.faults.tokenizeCalls
      const stranger = randomUUID()
      expectRefused(await tokenize(cards.declined, stranger), windowSeconds)
      expect(h.faults.tokenizeCalls).toBe(calls)
      // The stranger's own other card is fine: the card is limited, not them.
      expect((await tokenize(cards.approved, stranger)).status).toBe(201)

      // Half-way through the window it is still refused, with a shorter wait.
      h.shift((windowSeconds / 2) * 1000)
      expectRefused(await tokenize(cards.declined, stranger), windowSeconds / 2)
      h.shift((windowSeconds / 2) * 1000 + 1000)
      expect((await tokenize(cards.declined, stranger)).status).toBe(201)
    })

    it("counts a card's payments written without its fingerprint (a replica of the version before)", async () => {
      // Each payment keeps its card's fingerprint (migration 006); a replica still on the
      // version before inserts payments without it, and the trigger fills it from the method.
      expect(await pay(cards.declined, randomUUID())).toBe('declined')
      const db = h.testDb.database.db
      const [model] = await db.selectFrom('payments').selectAll().execute()
      expect(model!.card_fingerprint).toMatch(/^[0-9a-f]{64}$/)
      for (let i = 0; i < 2; i++) {
        await sql`insert into payments
          select (jsonb_populate_record(null::payments, to_jsonb(p) || jsonb_build_object(
            'id', ${`pay-${randomUUID()}`}::text, 'order_id', ${`ord-${randomUUID()}`}::text,
            'card_fingerprint', null))).*
          from payments p where p.id = ${model!.id}`.execute(db)
      }
      const rows = await db.selectFrom('payments').select('card_fingerprint').execute()
      expect(rows.map((row) => row.card_fingerprint)).toEqual(
        Array(3).fill(model!.card_fingerprint),
      )
      // Three declines of the card: a stranger's tokenization of it is refused.
      expectRefused(await tokenize(cards.declined, randomUUID()), windowSeconds)
    })

    it('charges of a card tokenized together: the provider is asked no more than the limit allows', async () => {
      // Declined once lately; then the same card on six accounts, all past tokenization before
      // the first of their charges is decided.
      expect(await pay(cards.declined, randomUUID())).toBe('declined')
      const methods = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const userId = randomUUID()
          const method = await tokenize(cards.declined, userId)
          expect(method.status, JSON.stringify(method.body)).toBe(201)
          return { userId, paymentMethodId: method.body.paymentMethodId as string }
        }),
      )
      // And an honest shopper's good card meanwhile, which nothing holds back.
      const honest = randomUUID()
      const good = await tokenize(cards.approved, honest)
      const orderIds: string[] = []
      for (const { userId, paymentMethodId } of [
        ...methods,
        { userId: honest, paymentMethodId: good.body.paymentMethodId as string },
      ]) {
        const orderId = `ord-${randomUUID()}`
        orderIds.push(orderId)
        await h.bus.publish(
          envelope('order.payment-requested', {
            orderId,
            userId,
            amount: { amount: 2500, currency: 'USD' },
            paymentMethodId,
            at: new Date().toISOString(),
          }),
        )
      }
      // Charges held back wait a moment between looks: process until every one is decided.
      const decided = async () => {
        const found = await h.testDb.database.db
          .selectFrom('payments')
          .select(['order_id', 'state', 'decline_reason'])
          .where('order_id', 'in', orderIds)
          .execute()
        const done = found.every((r) => r.state !== 'pending' && r.state !== 'authorized')
        return found.length === orderIds.length && done ? found : undefined
      }
      let rows = await decided()
      for (const deadline = Date.now() + 60_000; !rows && Date.now() < deadline;) {
        await h.service.processPending()
        await new Promise((resolve) => setTimeout(resolve, 50))
        rows = await decided()
      }
      if (!rows) throw new Error('charges still undecided after a minute')
      const final = rows
      const reasonOf = (orderId: string) => final.find((r) => r.order_id === orderId)
      const asked = orderIds.filter((id) =>
        [...h.faults.authorizeCalls.keys()].some((key) => key.startsWith(`${id}:`)),
      )
      // Three declines of the card at most (PAYMENTS_MAX_DECLINES_PER_CARD): the one before and
      // two of these, the rest refused unasked; and the good card's charge.
      expect(asked).toHaveLength(3)
      expect(
        orderIds
          .slice(0, 6)
          .map((id) => reasonOf(id)?.decline_reason)
          .sort(),
      ).toEqual([
        'card_declined',
        'card_declined',
        'velocity_limit',
        'velocity_limit',
        'velocity_limit',
        'velocity_limit',
      ])
      expect(reasonOf(orderIds[6]!)?.state).toBe('captured')
      // The refusals are no declines of the card: it is held for the window, no longer.
      expectRefused(await tokenize(cards.declined, randomUUID()), windowSeconds)
      h.shift(windowSeconds * 1000 + 1000)
      expect((await tokenize(cards.declined, randomUUID())).status).toBe(201)
    })

    it('does not count approvals, bad input or cancelled charges', async () => {
      const user = randomUUID()
      for (let i = 0; i < 6; i++) expect(await pay(cards.approved, user)).toBe('captured')
      // Charges stopped by a cancellation end `declined` (order_cancelled): not the card's fault.
      for (let i = 0; i < 4; i++)
        expect(await pay(cards.declined, user, { cancelled: true })).toBe('declined')
      expect((await tokenize('4242424242424241', user)).status).toBe(400)
      expect((await tokenize(cards.approved, user)).status).toBe(201)
    })

    it('keeps a keyed fingerprint of the card, never the number', async () => {
      await tokenize(cards.declined, randomUUID())
      const rows = await h.testDb.database.db.selectFrom('payment_methods').selectAll().execute()
      expect(rows[0]!.card_fingerprint).toMatch(/^[0-9a-f]{64}$/)
      expect(JSON.stringify(rows)).not.toContain(cards.declined)
    })
  })
}
