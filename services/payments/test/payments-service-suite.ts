import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '@emporium/platform'
import { createHarness, envelope, slowMs, type Harness } from './payments-harness.js'

interface Reply {
  status: number
  body: any
}

const cards = {
  approved: '4242424242424242',
  declined: '4000000000000002',
  insufficient: '4000000000009995',
  flaky: '4000000000000119',
  slow: '4000000000000259',
  otherValid: '5555555555554444',
}
const allNumbers = Object.values(cards)
const nextYear = new Date().getUTCFullYear() + 1
const card = (cardNumber: string) => ({ cardNumber, expMonth: 12, expYear: nextYear, cvc: '987' })

/**
 * The payments service end to end against one database kind: tokenizing over HTTP, charging
 * through `order.payment-requested` on an in-process bus and the processor, cancellations,
 * faults around the simulated acquirer, and the public reads.
 */
export function paymentsSuite(kind: DatabaseKind): void {
  describe(`payments service on ${kind}: cards, charges, cancellations and reads over HTTP and events`, () => {
    let h: Harness
    const db = () => h.testDb.database.db

    async function call(method: string, path: string, body?: unknown, auth?: string) {
      const headers: Record<string, string> = path.startsWith('/internal/')
        ? await h.internal.headers()
        : {}
      if (body !== undefined) headers['content-type'] = 'application/json'
      if (auth) headers.authorization = auth
      const response = await fetch(`${h.running.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await response.text()
      return { status: response.status, body: text ? JSON.parse(text) : undefined } as Reply
    }

    async function tokenize(number: string, userId: string) {
      const reply = await call('POST', '/internal/payment-methods', { userId, card: card(number) })
      expect(reply.status, JSON.stringify(reply.body)).toBe(201)
      return reply.body as { paymentMethodId: string; last4: string; brand: string }
    }

    /** Tokenizes the card and publishes order.payment-requested for a new order. */
    async function requestPayment(
      number: string,
      options: { userId?: string; amount?: number; currency?: string; orderId?: string } = {},
    ) {
      const userId = options.userId ?? randomUUID()
      const orderId = options.orderId ?? `ord-${randomUUID()}`
      const { paymentMethodId } = await tokenize(number, userId)
      const data = {
        orderId,
        userId,
        amount: { amount: options.amount ?? 2500, currency: options.currency ?? 'USD' },
        paymentMethodId,
        at: new Date().toISOString(),
      }
      const event = envelope('order.payment-requested', data)
      await h.bus.publish(event)
      return { orderId, userId, data, event }
    }

    async function cancel(orderId: string, userId: string, previousStatus = 'awaiting_payment') {
      await h.bus.publish(
        envelope('order.cancelled', {
          orderId,
          userId,
          previousStatus,
          reason: 'customer_cancelled',
          lines: [],
          total: { amount: 2500, currency: 'USD' },
          at: new Date().toISOString(),
        }),
      )
    }

    async function processAll() {
      let total = 0
      for (let n = await h.service.processPending(); n > 0; n = await h.service.processPending()) {
        total += n
      }
      return total
    }

    const paymentOf = (orderId: string) =>
      db().selectFrom('payments').selectAll().where('order_id', '=', orderId).executeTakeFirst()

    async function ledgerOf(orderId: string) {
      const rows = await db()
        .selectFrom('ledger_entries')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('id')
        .execute()
      return rows.map((r: any) => ({ kind: r.kind, amount: Number(r.amount) }))
    }

    async function eventsOf(orderId: string) {
      const rows = await db().selectFrom('outbox').select(['payload']).orderBy('seq').execute()
      return rows
        .map((r: any) => JSON.parse(r.payload))
        .filter((e: any) => e.data.orderId === orderId)
    }

    async function acquirerKeys(pattern: string) {
      const rows = await db()
        .selectFrom('simulated_acquirer')
        .select('key')
        .where('key', 'like', pattern)
        .execute()
      return rows.map((r: any) => r.key as string)
    }

    const count = async (table: string) =>
      Number(
        (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(db()))
          .rows[0]!.n,
      )

    beforeAll(async () => {
      h = await createHarness(kind)
    })

    afterAll(async () => {
      await h?.close()
    })

    describe('tokenizing cards', () => {
      it('keeps a token, last4 and brand for a valid card', async () => {
        const userId = randomUUID()
        const method = await tokenize(cards.approved, userId)
        expect(method).toMatchObject({ last4: '4242', brand: 'visa' })
        const row = await db()
          .selectFrom('payment_methods')
          .selectAll()
          .where('id', '=', method.paymentMethodId)
          .executeTakeFirstOrThrow()
        expect(row).toMatchObject({ user_id: userId, last4: '4242', brand: 'visa', exp_month: 12 })
        expect(row.provider_token).toMatch(/^tok_sim_/)
      })

      it('refuses a card failing the Luhn check, an expired one, and bad input, storing nothing', async () => {
        const before = [await count('payment_methods'), await count('simulated_acquirer')]
        const userId = randomUUID()
        const luhn = await call('POST', '/internal/payment-methods', {
          userId,
          card: card('4242424242424241'),
        })
        expect(luhn.status).toBe(400)
        expect(luhn.body).toMatchObject({ code: 'PAYMENTS.INVALID_CARD' })
        expect(luhn.body.errors).toEqual([
          { path: '/payment/cardNumber', message: 'is not a valid card number' },
        ])

        const lastYear = new Date().getUTCFullYear() - 1
        const expired = await call('POST', '/internal/payment-methods', {
          userId,
          card: { ...card(cards.approved), expYear: lastYear },
        })
        expect(expired.status).toBe(400)
        expect(expired.body.errors).toEqual([
          { path: '/payment/expYear', message: 'the card has expired' },
        ])

        const malformed = await call('POST', '/internal/payment-methods', {
          userId,
          card: { ...card('42424242abcd4242'), extra: true },
        })
        expect(malformed.status).toBe(400)
        expect(malformed.body.code).toBe('HTTP.VALIDATION')

        expect([await count('payment_methods'), await count('simulated_acquirer')]).toEqual(before)
      })
    })

    describe('charging each test card', () => {
      it('captures 4242… once: event, ledger and status', async () => {
        const { orderId, userId, data, event } = await requestPayment(cards.approved)
        expect(await paymentOf(orderId)).toMatchObject({ state: 'pending', last4: '4242' })
        expect(await processAll()).toBe(1)
        expect(await paymentOf(orderId)).toMatchObject({ state: 'captured', brand: 'visa' })
        expect(await ledgerOf(orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
        ])
        const events = await eventsOf(orderId)
        expect(events.map((e: any) => e.type)).toEqual(['payment.captured'])
        expect(events[0]).toMatchObject({
          source: 'payments',
          correlationId: event.correlationId,
          causationId: event.id,
          data: { orderId, userId, amount: data.amount, last4: '4242' },
        })
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBe(1)
      })

      for (const [number, reason] of [
        [cards.declined, 'card_declined'],
        [cards.insufficient, 'insufficient_funds'],
      ] as const) {
        it(`declines ${number} with ${reason}, charging nothing`, async () => {
          const { orderId } = await requestPayment(number)
          await processAll()
          expect(await paymentOf(orderId)).toMatchObject({
            state: 'declined',
            decline_reason: reason,
          })
          expect(await ledgerOf(orderId)).toEqual([])
          const events = await eventsOf(orderId)
          expect(events.map((e: any) => [e.type, e.data.reason])).toEqual([
            ['payment.declined', reason],
          ])
        })
      }

      it('retries 4000…0119 through two provider errors: 3 attempts, captured once', async () => {
        const { orderId } = await requestPayment(cards.flaky)
        await processAll()
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBe(3)
        expect(await paymentOf(orderId)).toMatchObject({ state: 'captured' })
        expect((await ledgerOf(orderId)).filter((e) => e.kind === 'capture')).toHaveLength(1)
        expect((await eventsOf(orderId)).map((e: any) => e.type)).toEqual(['payment.captured'])
      })

      it('waits for the slow 4000…0259 and captures it', async () => {
        const { orderId } = await requestPayment(cards.slow)
        const started = Date.now()
        await processAll()
        expect(Date.now() - started).toBeGreaterThanOrEqual(slowMs - 5)
        expect(await paymentOf(orderId)).toMatchObject({ state: 'captured' })
      })

      it('approves any other Luhn-valid card', async () => {
        const { orderId } = await requestPayment(cards.otherValid)
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'captured', brand: 'mastercard' })
      })

      it('fails with provider_error when the provider keeps failing', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.alwaysTransient.add(orderId)
        await requestPayment(cards.approved, { orderId })
        await processAll()
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBe(4)
        expect(await paymentOf(orderId)).toMatchObject({
          state: 'failed',
          decline_reason: 'provider_error',
        })
        expect((await eventsOf(orderId)).map((e: any) => [e.type, e.data.reason])).toEqual([
          ['payment.declined', 'provider_error'],
        ])
        expect(await ledgerOf(orderId)).toEqual([])
      })
    })

    describe('never twice', () => {
      it('one payment and one capture for a redelivered or replayed request', async () => {
        const { orderId, data, event } = await requestPayment(cards.approved)
        await h.bus.publish(event) // the same event again: the inbox skips it
        await h.bus.publish(envelope('order.payment-requested', data)) // a new id, same order
        await processAll()
        await h.bus.publish(envelope('order.payment-requested', data)) // after the capture
        await processAll()
        const rows = await db()
          .selectFrom('payments')
          .select('id')
          .where('order_id', '=', orderId)
          .execute()
        expect(rows).toHaveLength(1)
        expect(await ledgerOf(orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
        ])
        expect(await acquirerKeys(`op:${orderId}:%`)).toEqual(
          expect.arrayContaining([`op:${orderId}:authorize`, `op:${orderId}:capture`]),
        )
        expect(await acquirerKeys(`op:${orderId}:%`)).toHaveLength(2)
        expect((await eventsOf(orderId)).map((e: any) => e.type)).toEqual(['payment.captured'])
      })

      it('a crash after the acquirer captured but before our commit captures once on replay', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.crashAfterCapture.add(orderId)
        await requestPayment(cards.approved, { orderId })
        await processAll()
        // The acquirer took the money; we recorded nothing (the authorization and the capture
        // are recorded together, after both calls).
        const payment = await paymentOf(orderId)
        expect(payment).toMatchObject({ state: 'pending', failures: 1, authorization_id: null })
        const held = await db()
          .selectFrom('simulated_acquirer')
          .select('value')
          .where('key', '=', `op:${orderId}:authorize`)
          .executeTakeFirstOrThrow()
        const hold = /auth_sim_[0-9a-f-]+/.exec(held.value)![0]
        expect(await acquirerKeys(`captured:${hold}`)).toHaveLength(1)
        expect(await ledgerOf(orderId)).toEqual([])
        expect(await h.service.processPending()).toBe(0) // not due before its retry time

        h.shift(5 * 60_000)
        await processAll()
        expect(h.faults.captureCalls.get(`${orderId}:capture`)).toBe(2)
        const captured = await paymentOf(orderId)
        expect(captured).toMatchObject({ state: 'captured', failures: 0 })
        expect(await ledgerOf(orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
        ])
        expect(await acquirerKeys(`op:${orderId}:capture`)).toHaveLength(1)
        // The replayed authorize answered the first hold, whose one capture is the payment's.
        expect(captured!.authorization_id).toBe(hold)
        expect(await acquirerKeys(`captured:${hold}`)).toHaveLength(1)
        expect((await eventsOf(orderId)).map((e: any) => e.type)).toEqual(['payment.captured'])
      })

      it('a capture that keeps failing stays authorized and is retried later', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.captureTransient.set(orderId, 4)
        await requestPayment(cards.approved, { orderId })
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'authorized' })
        expect(await eventsOf(orderId)).toEqual([])
        h.shift(5 * 60_000)
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'captured' })
        expect(h.faults.captureCalls.get(`${orderId}:capture`)).toBe(5)
      })
    })

    describe('payment attempts (a retry after a decline, issue 18)', () => {
      /** The order's next attempt, paid with another card of the same shopper. */
      async function retry(
        number: string,
        first: { orderId: string; userId: string; data: { amount: unknown } },
        attempt = 2,
      ) {
        const { paymentMethodId } = await tokenize(number, first.userId)
        const data = {
          orderId: first.orderId,
          userId: first.userId,
          amount: first.data.amount,
          paymentMethodId,
          attempt,
          at: new Date().toISOString(),
        }
        const event = envelope('order.payment-requested', data)
        await h.bus.publish(event)
        return { data, event }
      }
      const paymentsOf = (orderId: string) =>
        db()
          .selectFrom('payments')
          .selectAll()
          .where('order_id', '=', orderId)
          .orderBy('attempt')
          .execute()

      it('a declined attempt, then another card: a new charge with its own keys, captured once', async () => {
        const first = await requestPayment(cards.declined)
        await processAll()
        const { data } = await retry(cards.approved, first)
        // Redelivered under another event id: the same attempt, nothing more.
        await h.bus.publish(envelope('order.payment-requested', data))
        await processAll()
        await h.bus.publish(envelope('order.payment-requested', data))
        await processAll()
        const rows = await paymentsOf(first.orderId)
        expect(rows.map((r: any) => [r.attempt, r.state, r.last4])).toEqual([
          [1, 'declined', '0002'],
          [2, 'captured', '4242'],
        ])
        expect(await ledgerOf(first.orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
        ])
        expect(h.faults.authorizeCalls.get(`${first.orderId}:2:authorize`)).toBe(1)
        expect(await acquirerKeys(`op:${first.orderId}:2:%`)).toEqual(
          expect.arrayContaining([
            `op:${first.orderId}:2:authorize`,
            `op:${first.orderId}:2:capture`,
          ]),
        )
        const events = await eventsOf(first.orderId)
        expect(events.map((e: any) => [e.type, e.data.attempt])).toEqual([
          ['payment.declined', 1],
          ['payment.captured', 2],
        ])
        // The shopper's list shows both attempts, each with its number.
        const listed = await call(
          'GET',
          `/payments?orderId=${first.orderId}`,
          undefined,
          h.tokens.bearer(first.userId),
        )
        expect(listed.status).toBe(200)
        expect(
          listed.body.items
            .map((p: any) => [p.attempt, p.status, p.last4])
            .sort((a: any, b: any) => a[0] - b[0]),
        ).toEqual([
          [1, 'declined', '0002'],
          [2, 'captured', '4242'],
        ])
      })

      it('a provider that failed the first attempt is asked again for the second', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.alwaysTransient.add(orderId) // the first attempt's keys only
        const first = await requestPayment(cards.approved, { orderId })
        await processAll()
        await retry(cards.approved, first)
        await processAll()
        const rows = await paymentsOf(orderId)
        expect(rows.map((r: any) => [r.attempt, r.state])).toEqual([
          [1, 'failed'],
          [2, 'captured'],
        ])
      })

      it('never a second capture for one order: an attempt after a capture takes nothing', async () => {
        const first = await requestPayment(cards.approved)
        await processAll()
        await retry(cards.otherValid, first)
        await processAll()
        const rows = await paymentsOf(first.orderId)
        expect(rows.map((r: any) => [r.attempt, r.state, r.decline_reason])).toEqual([
          [1, 'captured', null],
          [2, 'declined', 'order_cancelled'],
        ])
        expect(h.faults.authorizeCalls.get(`${first.orderId}:2:authorize`)).toBeUndefined()
        expect((await ledgerOf(first.orderId)).filter((e) => e.kind === 'capture')).toHaveLength(1)
      })

      it('a cancellation after the second attempt was captured refunds it', async () => {
        const first = await requestPayment(cards.declined)
        await processAll()
        await retry(cards.approved, first)
        await processAll()
        await cancel(first.orderId, first.userId, 'confirmed')
        await processAll()
        const rows = await paymentsOf(first.orderId)
        expect(rows.map((r: any) => [r.attempt, r.state])).toEqual([
          [1, 'declined'],
          [2, 'refunded'],
        ])
        expect(await ledgerOf(first.orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
          { kind: 'refund', amount: 2500 },
        ])
      })
    })

    describe('cancellations', () => {
      it('before the charge: declined order_cancelled, the provider never asked', async () => {
        const { orderId, userId } = await requestPayment(cards.approved)
        await cancel(orderId, userId)
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({
          state: 'declined',
          decline_reason: 'order_cancelled',
        })
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBeUndefined()
        expect(await ledgerOf(orderId)).toEqual([])
        expect((await eventsOf(orderId)).map((e: any) => [e.type, e.data.reason])).toEqual([
          ['payment.declined', 'order_cancelled'],
        ])
      })

      it('before the payment request even arrives: the late request is declined', async () => {
        const orderId = `ord-${randomUUID()}`
        const userId = randomUUID()
        await cancel(orderId, userId)
        await requestPayment(cards.approved, { orderId, userId })
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ decline_reason: 'order_cancelled' })
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBeUndefined()
      })

      /** The order's payment ended declined (`order_cancelled`), its hold voided. */
      async function expectHoldVoided(orderId: string) {
        expect(await paymentOf(orderId)).toMatchObject({
          state: 'declined',
          decline_reason: 'order_cancelled',
        })
        expect(await ledgerOf(orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'void', amount: 2500 },
        ])
      }

      it('after a pass that held the amount and died: asked again, the hold voided', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.crashAfterAuthorize.add(orderId)
        const { userId } = await requestPayment(cards.approved, { orderId })
        await processAll()
        // Held at the acquirer, nothing recorded here: the authorization is recorded with its
        // capture, which never came.
        expect(await paymentOf(orderId)).toMatchObject({ state: 'pending', failures: 1 })
        expect(await ledgerOf(orderId)).toEqual([])
        await cancel(orderId, userId)
        h.shift(5 * 60_000)
        await processAll()
        // Claimed before, so not declined unasked: the same key answers the same hold.
        expect(h.faults.authorizeCalls.get(`${orderId}:authorize`)).toBe(2)
        expect(h.faults.captureCalls.get(`${orderId}:capture`)).toBeUndefined()
        await expectHoldVoided(orderId)
      })

      it('after the authorization: the hold is voided', async () => {
        const orderId = `ord-${randomUUID()}`
        h.faults.captureTransient.set(orderId, 4)
        const { userId } = await requestPayment(cards.approved, { orderId })
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'authorized' })
        await cancel(orderId, userId)
        h.shift(5 * 60_000)
        await processAll()
        await expectHoldVoided(orderId)
        expect(h.faults.captureCalls.get(`${orderId}:capture`)).toBe(4)
      })

      it('while the capture is on its way: captured, then refunded at once', async () => {
        const orderId = `ord-${randomUUID()}`
        const userId = randomUUID()
        h.faults.beforeCapture.set(orderId, () => cancel(orderId, userId))
        await requestPayment(cards.approved, { orderId, userId })
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'refunded' })
        expect((await ledgerOf(orderId)).map((e) => e.kind)).toEqual([
          'authorization',
          'capture',
          'refund',
        ])
        expect((await eventsOf(orderId)).map((e: any) => e.type)).toEqual([
          'payment.captured',
          'payment.refunded',
        ])
      })

      it('after the capture: refunded, with a ledger refund', async () => {
        const { orderId, userId } = await requestPayment(cards.approved)
        await processAll()
        await cancel(orderId, userId, 'confirmed')
        expect(await paymentOf(orderId)).toMatchObject({ state: 'refund_pending' })
        const listed = await call(
          'GET',
          `/payments?orderId=${orderId}`,
          undefined,
          h.tokens.bearer(userId),
        )
        expect(listed.body.items[0].status).toBe('captured')
        await processAll()
        expect(await paymentOf(orderId)).toMatchObject({ state: 'refunded' })
        expect(await ledgerOf(orderId)).toEqual([
          { kind: 'authorization', amount: 2500 },
          { kind: 'capture', amount: 2500 },
          { kind: 'refund', amount: 2500 },
        ])
        expect((await eventsOf(orderId)).map((e: any) => e.type)).toEqual([
          'payment.captured',
          'payment.refunded',
        ])
        // A redelivered cancellation changes nothing.
        await cancel(orderId, userId, 'confirmed')
        expect(await h.service.processPending()).toBe(0)
        expect(await paymentOf(orderId)).toMatchObject({ state: 'refunded' })
      })

      /** Publishes a payment request of a new order with `paymentMethodId` for `userId`. */
      async function requestWith(paymentMethodId: string, userId: string): Promise<string> {
        const orderId = `ord-${randomUUID()}`
        await h.bus.publish(
          envelope('order.payment-requested', {
            orderId,
            userId,
            amount: { amount: 100, currency: 'USD' },
            paymentMethodId,
            at: new Date().toISOString(),
          }),
        )
        return orderId
      }

      async function expectDeadLettered(orderId: string) {
        expect(await paymentOf(orderId)).toBeUndefined()
        const dead = await h.bus.deadLetters.list('payments')
        expect(dead.some((d) => (d.envelope.data as any).orderId === orderId)).toBe(true)
      }

      it('a payment request for an unknown card is dead-lettered, nothing recorded', async () => {
        await expectDeadLettered(await requestWith(randomUUID(), randomUUID()))
      })

      it("a payment request with another user's card is dead-lettered, nothing recorded", async () => {
        const owner = randomUUID()
        const { paymentMethodId, last4, brand } = await tokenize(cards.approved, owner)
        await expectDeadLettered(await requestWith(paymentMethodId, randomUUID()))
        // The owner's own request with it is taken.
        const own = await requestWith(paymentMethodId, owner)
        // Its card's details come with the insert.
        expect(await paymentOf(own)).toMatchObject({
          user_id: owner,
          payment_method_id: paymentMethodId,
          last4,
          brand,
        })
      })
    })

    describe('reading payments', () => {
      let alice: string
      let bob: string
      const aliceOrders: string[] = []
      let bobOrder: string

      beforeAll(async () => {
        alice = randomUUID()
        bob = randomUUID()
        for (let i = 0; i < 3; i++) {
          aliceOrders.push((await requestPayment(cards.approved, { userId: alice })).orderId)
        }
        bobOrder = (await requestPayment(cards.declined, { userId: bob })).orderId
        await processAll()
        // One still pending: not listed.
        await requestPayment(cards.approved, { userId: alice })
      })

      it('lists the caller’s own, newest first, with a cursor', async () => {
        const first = await call('GET', '/payments?limit=2', undefined, h.tokens.bearer(alice))
        expect(first.status).toBe(200)
        expect(first.body.items.map((p: any) => p.orderId)).toEqual([
          aliceOrders[2],
          aliceOrders[1],
        ])
        expect(first.body.items[0]).toMatchObject({
          status: 'captured',
          amount: { amount: 2500, currency: 'USD' },
          last4: '4242',
          brand: 'visa',
        })
        const second = await call(
          'GET',
          `/payments?limit=2&cursor=${first.body.nextCursor}`,
          undefined,
          h.tokens.bearer(alice),
        )
        expect(second.body.items.map((p: any) => p.orderId)).toEqual([aliceOrders[0]])
        expect(second.body.nextCursor).toBeNull()
      })

      it('hides someone else’s payment; an admin sees any', async () => {
        const stranger = await call(
          'GET',
          `/payments?orderId=${bobOrder}`,
          undefined,
          h.tokens.bearer(alice),
        )
        expect(stranger).toEqual({ status: 200, body: { items: [], nextCursor: null } })
        const own = await call(
          'GET',
          `/payments?orderId=${bobOrder}`,
          undefined,
          h.tokens.bearer(bob),
        )
        // The shopper sees a generic decline; only an admin sees which decline it was.
        expect(own.body.items).toMatchObject([{ orderId: bobOrder, status: 'declined' }])
        expect(own.body.items[0]).not.toHaveProperty('declineReason')
        const admin = await call(
          'GET',
          `/payments?orderId=${bobOrder}`,
          undefined,
          h.tokens.bearer(randomUUID(), ['customer', 'admin']),
        )
        expect(admin.body.items).toMatchObject([
          { orderId: bobOrder, status: 'declined', declineReason: 'card_declined' },
        ])
        const all = await call(
          'GET',
          '/payments?limit=100',
          undefined,
          h.tokens.bearer(randomUUID(), ['admin']),
        )
        const users = new Set(all.body.items.map((p: any) => p.orderId))
        expect(users.has(bobOrder) && users.has(aliceOrders[0])).toBe(true)
      })

      it('refuses no token, a bad cursor and a limit over 100', async () => {
        const anonymous = await call('GET', '/payments')
        expect(anonymous.status).toBe(401)
        const cursor = await call(
          'GET',
          '/payments?cursor=nope!',
          undefined,
          h.tokens.bearer(alice),
        )
        expect(cursor.status).toBe(400)
        const limit = await call('GET', '/payments?limit=101', undefined, h.tokens.bearer(alice))
        expect(limit.status).toBe(400)
      })

      it('reconciles the ledger per currency (admin only)', async () => {
        // EUR is used by this test alone.
        const kept = await requestPayment(cards.approved, { amount: 1000, currency: 'EUR' })
        const refunded = await requestPayment(cards.approved, { amount: 2000, currency: 'EUR' })
        await requestPayment(cards.declined, { amount: 500, currency: 'EUR' })
        await processAll()
        await cancel(refunded.orderId, refunded.userId, 'confirmed')
        await processAll()
        expect(await paymentOf(kept.orderId)).toMatchObject({ state: 'captured' })

        const admin = h.tokens.bearer(randomUUID(), ['customer', 'admin'])
        const reply = await call('GET', '/payments/reconciliation', undefined, admin)
        expect(reply.status).toBe(200)
        expect(reply.body.currencies.find((c: any) => c.currency === 'EUR')).toEqual({
          currency: 'EUR',
          authorized: 3000,
          captured: 3000,
          refunded: 2000,
          net: 1000,
        })
        const usd = reply.body.currencies.find((c: any) => c.currency === 'USD')
        expect(usd.net).toBe(usd.captured - usd.refunded)
        expect(reply.body.doubleCaptures).toEqual([])

        expect(
          (await call('GET', '/payments/reconciliation', undefined, h.tokens.bearer(alice))).status,
        ).toBe(403)
        expect((await call('GET', '/payments/reconciliation')).status).toBe(401)
      })
    })

    describe('card data', () => {
      it('no table holds a card number or the CVC', async () => {
        const tables = [
          'payment_methods',
          'payments',
          'ledger_entries',
          'order_cancellations',
          'simulated_acquirer',
          'outbox',
          'inbox',
        ]
        for (const table of tables) {
          const rows = await sql`select * from ${sql.table(table)}`.execute(db())
          const text = JSON.stringify(rows.rows)
          for (const number of allNumbers) expect(text, table).not.toContain(number)
          expect(text, table).not.toContain('"987"')
        }
      })

      it('no log line holds a card number or the CVC (unredacted, at debug level)', () => {
        const text = h.logs.join('\n')
        expect(h.logs.length).toBeGreaterThan(10)
        for (const number of allNumbers) expect(text).not.toContain(number)
        expect(text).not.toContain('"987"')
      })
    })
  })
}
