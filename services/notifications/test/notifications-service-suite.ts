import { randomUUID } from 'node:crypto'
import { setTimeout as delay } from 'node:timers/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders, payments, users, webhooks } from '@emporium/contracts'
import {
  createInProcessBus,
  createLogger,
  startService,
  type DatabaseKind,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import {
  createNotificationsService,
  loadNotificationsConfig,
  type NotificationsService,
} from '../src/service.js'
import {
  createTestTokens,
  envelope,
  httpClient,
  openStream,
  orderEvents,
  publish,
  recordingSender,
  statuses,
} from './support.js'

/**
 * The service as the runtime starts it (migrations, inbox, in-process bus, real HTTP server),
 * on one database kind: the projection and messages built from events as the orders, payments
 * and users services publish them, the status stream read through fetch, the dispatcher.
 */
export function notificationsSuite(kind: DatabaseKind): void {
  describe(`notifications service on ${kind}: projection, messages, dispatcher and status stream`, () => {
    const log = createLogger({ service: 'notifications', level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10, 10] }, log })
    const tokens = createTestTokens()
    const http = httpClient()
    const { sender, sent, state } = recordingSender()
    let clock = Date.now()
    let testDb: TestDatabase
    let service: NotificationsService
    let running: RunningService

    const db = () => testDb.database.db
    const bearer = (userId: string, roles?: string[]) => ({
      authorization: `Bearer ${tokens.token(userId, roles)}`,
    })
    const streamUrl = (orderId: string) => `${running.url}/orders/${orderId}/events`

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadNotificationsConfig({
        NOTIFICATIONS_DATABASE_URL: testDb.url,
        NOTIFICATIONS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        NOTIFICATIONS_STREAM_POLL_MS: '100',
        NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS: '1',
        NOTIFICATIONS_STREAM_ORDER_WAIT_MS: '1000',
        NOTIFICATIONS_SEND_MAX_ATTEMPTS: '3',
        LOG_LEVEL: 'silent',
      })
      service = await createNotificationsService(config, {
        log,
        database: testDb.database,
        verifier: tokens.verifier,
        sender,
        now: () => new Date(clock),
        dispatchIntervalMs: 0,
      })
      running = await startService(service, { port: 0, log, bus })
    })

    afterAll(async () => {
      await http.close()
      await running?.stopHttp()
      await bus.close()
      await running?.close()
      await testDb?.drop()
    })

    async function projection(orderId: string) {
      const row = await db()
        .selectFrom('order_status')
        .selectAll()
        .where('order_id', '=', orderId)
        .executeTakeFirst()
      const changes = await db()
        .selectFrom('status_changes')
        .select(['status', 'cancellation_reason'])
        .where('order_id', '=', orderId)
        .orderBy('seq')
        .execute()
      return { row, changes: changes.map((c) => c.status as string) }
    }

    const messagesOf = (userId: string) =>
      db()
        .selectFrom('messages')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at')
        .execute()

    describe('projection and messages', () => {
      it('builds each once per event: a redelivered envelope adds nothing', async () => {
        const o = orderEvents(`o-${randomUUID()}`, `u-${randomUUID()}`)
        const orderId = o.placed().orderId
        const userId = o.placed().userId
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        const confirmed = envelope(orders.OrderConfirmed, o.confirmed())
        await bus.publish(confirmed)
        await bus.publish(structuredClone(confirmed))
        await bus.publish(structuredClone(confirmed))

        const { row, changes } = await projection(orderId)
        expect(row).toMatchObject({ user_id: userId, status: 'confirmed', rank: 1_000_000 })
        expect(changes).toEqual(['pending', 'awaiting_payment', 'confirmed'])
        const messages = await messagesOf(userId)
        expect(messages).toHaveLength(1)
        expect(messages[0]).toMatchObject({
          template: 'order_confirmed',
          to_address: `user:${userId}`,
          status: 'pending',
          event_id: confirmed.id,
        })
        expect(messages[0]!.body).toContain('Total: $39.98')
      })

      it('follows a declined payment and a retry: payment_failed is not an end; stale events change nothing', async () => {
        const o = orderEvents(`o-${randomUUID()}`, `u-${randomUUID()}`)
        const orderId = o.placed().orderId
        const failed = (attempt: number) => ({
          orderId,
          userId: o.placed().userId,
          attempt,
          reason: 'payment_declined',
          paymentDueBy: new Date(Date.now() + 600_000).toISOString(),
          at: new Date().toISOString(),
        })
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderPaymentRequested, { ...o.paymentRequested(), attempt: 1 })
        await publish(bus, orders.OrderPaymentFailed, failed(1))
        expect((await projection(orderId)).row).toMatchObject({ status: 'payment_failed' })
        await publish(bus, orders.OrderPaymentRequested, { ...o.paymentRequested(), attempt: 2 })
        // The first attempt's events again, late: the retry stays.
        await publish(bus, orders.OrderPaymentFailed, failed(1))
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        expect((await projection(orderId)).row).toMatchObject({ status: 'awaiting_payment' })
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        const { row, changes } = await projection(orderId)
        expect(row).toMatchObject({ status: 'confirmed' })
        expect(changes).toEqual([
          'pending',
          'awaiting_payment',
          'payment_failed',
          'awaiting_payment',
          'confirmed',
        ])
      })

      it('starts an order at confirmed when order.confirmed arrives first', async () => {
        const o = orderEvents(`o-${randomUUID()}`, 'u-early')
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        expect(await projection(o.placed().orderId)).toMatchObject({
          row: { status: 'confirmed', user_id: 'u-early' },
          changes: ['confirmed'],
        })
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        await publish(bus, orders.OrderPlaced, o.placed())
        expect((await projection(o.placed().orderId)).changes).toEqual(['confirmed'])
      })

      it('cancels a confirmed order, and keeps the first of shipped and cancelled', async () => {
        const a = orderEvents(`o-${randomUUID()}`, 'u-a')
        await publish(bus, orders.OrderConfirmed, a.confirmed())
        await publish(bus, orders.OrderCancelled, a.cancelled('customer_cancelled', 'confirmed'))
        await publish(bus, orders.OrderShipped, a.shipped())
        expect(await projection(a.placed().orderId)).toMatchObject({
          row: { status: 'cancelled', cancellation_reason: 'customer_cancelled' },
          changes: ['confirmed', 'cancelled'],
        })

        const b = orderEvents(`o-${randomUUID()}`, 'u-b')
        await publish(bus, orders.OrderShipped, b.shipped())
        await publish(bus, orders.OrderCancelled, b.cancelled('admin_cancelled', 'confirmed'))
        await publish(bus, orders.OrderConfirmed, b.confirmed())
        expect(await projection(b.placed().orderId)).toMatchObject({
          row: { status: 'shipped', cancellation_reason: null },
          changes: ['shipped'],
        })
      })

      it('addresses messages by the registered e-mail and name', async () => {
        const userId = `u-${randomUUID()}`
        await publish(bus, users.UserRegistered, {
          userId,
          email: 'ada@example.com',
          name: 'Ada',
          roles: ['customer'],
          registeredAt: new Date().toISOString(),
        })
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderCancelled, o.cancelled('payment_declined'))
        await publish(bus, payments.PaymentRefunded, o.refunded())
        await publish(bus, orders.OrderShipped, orderEvents(`o-${randomUUID()}`, userId).shipped())
        const messages = await messagesOf(userId)
        expect(messages.map((m) => m.template).sort()).toEqual([
          'order_cancelled',
          'order_shipped',
          'payment_refunded',
        ])
        for (const message of messages) {
          expect(message.to_address).toBe('ada@example.com')
          expect(message.body).toMatch(/^Hello Ada,/)
        }
        expect(messages.find((m) => m.template === 'order_cancelled')!.body).toContain(
          'your payment was declined',
        )
      })
    })

    describe('dispatcher', () => {
      it('sends pending messages once, to the address known by then', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        // The account's event arrives after the order's.
        await publish(bus, users.UserRegistered, {
          userId,
          email: 'late@example.com',
          name: 'Late',
          roles: ['customer'],
          registeredAt: new Date().toISOString(),
        })
        expect(await service.dispatchPending()).toBeGreaterThanOrEqual(1)
        const mine = sent.filter((m) => m.to === 'late@example.com')
        expect(mine).toHaveLength(1)
        expect(mine[0]).toMatchObject({
          template: 'order_confirmed',
          from: 'Emporium <orders@emporium.local>',
          subject: `Your Emporium order ${o.placed().orderId} is confirmed`,
        })
        expect(await messagesOf(userId)).toMatchObject([
          { status: 'sent', attempts: 1, to_address: 'late@example.com' },
        ])
        expect(await service.dispatchPending()).toBe(0)
      })

      it('sends the verification link of user.verification-requested to the address it names', async () => {
        const userId = `u-${randomUUID()}`
        const link = `https://shop.example/verify-email#token=${randomUUID()}`
        await publish(bus, users.UserVerificationRequested, {
          userId,
          email: 'new@example.com',
          name: 'Neve',
          link,
          expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
        })
        expect(await service.dispatchPending()).toBeGreaterThanOrEqual(1)
        const mine = sent.filter((m) => m.to === 'new@example.com')
        expect(mine).toHaveLength(1)
        expect(mine[0]).toMatchObject({ template: 'email_verification' })
        expect(mine[0]!.text).toContain(link)
        expect(mine[0]!.text).toMatch(/^Hello Neve,/)
      })

      it('sends the reset link of user.password-reset-requested once, to the address it names', async () => {
        const userId = `u-${randomUUID()}`
        const resetUrl = `https://shop.example/reset-password#token=${randomUUID()}`
        const data = {
          userId,
          email: 'forgetful@example.com',
          name: 'Fred',
          resetUrl,
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        }
        const envelope = await publish(bus, users.UserPasswordResetRequested, data)
        // Delivered again (a redelivery): the inbox skips it, one message only.
        await publish(bus, users.UserPasswordResetRequested, data, envelope.id)
        expect(await service.dispatchPending()).toBeGreaterThanOrEqual(1)
        const mine = sent.filter((m) => m.to === 'forgetful@example.com')
        expect(mine).toHaveLength(1)
        expect(mine[0]).toMatchObject({
          template: 'password_reset',
          subject: 'Reset your Emporium password',
        })
        expect(mine[0]!.text).toContain(resetUrl)
        expect(mine[0]!.text).toMatch(/^Hello Fred,/)
      })

      it("tells a disabled webhook endpoint's owner once, at their account's address (issue 21)", async () => {
        const userId = `u-${randomUUID()}`
        await publish(bus, users.UserRegistered, {
          userId,
          email: `owner-${userId}@example.com`,
          name: 'Olive',
          roles: ['customer'],
          registeredAt: new Date().toISOString(),
        })
        const data = {
          endpointId: `we-${randomUUID()}`,
          url: 'https://partner.example/hooks',
          createdBy: userId,
          failingSince: '2030-01-01T00:00:00.000Z',
          at: '2030-01-04T00:00:00.000Z',
        }
        const envelope = await publish(bus, webhooks.EndpointDisabled, data)
        await publish(bus, webhooks.EndpointDisabled, data, envelope.id)
        expect(await service.dispatchPending()).toBeGreaterThanOrEqual(1)
        const mine = sent.filter((m) => m.to === `owner-${userId}@example.com`)
        expect(mine).toHaveLength(1)
        expect(mine[0]).toMatchObject({ template: 'webhook_endpoint_disabled' })
        expect(mine[0]!.text).toMatch(/^Hello Olive,/)
        expect(mine[0]!.text).toContain('https://partner.example/hooks')
        expect(mine[0]!.text).toContain('2030-01-01T00:00:00.000Z')
      })

      it('retries a failing send with backoff, then gives up', async () => {
        await service.dispatchPending()
        const userId = `u-${randomUUID()}`
        await publish(bus, orders.OrderShipped, orderEvents(`o-${randomUUID()}`, userId).shipped())
        state.failing = true
        try {
          expect(await service.dispatchPending()).toBe(0)
          let [message] = await messagesOf(userId)
          expect(message).toMatchObject({ status: 'pending', attempts: 1 })
          expect(message!.last_error).toContain('451')
          expect(new Date(message!.next_attempt_at).getTime()).toBeGreaterThan(clock)
          // Not due yet: nothing is attempted.
          const before = state.attempts
          await service.dispatchPending()
          expect(state.attempts).toBe(before)

          clock += 3_600_000
          await service.dispatchPending()
          ;[message] = await messagesOf(userId)
          expect(message).toMatchObject({ status: 'pending', attempts: 2 })
          clock += 3_600_000
          await service.dispatchPending()
          ;[message] = await messagesOf(userId)
          expect(message).toMatchObject({ status: 'failed', attempts: 3 })
          clock += 3_600_000
          await service.dispatchPending()
          expect((await messagesOf(userId))[0]).toMatchObject({ status: 'failed', attempts: 3 })
        } finally {
          state.failing = false
        }
      })

      it('marks a batch sent each once, leaving the one whose send failed pending', async () => {
        await service.dispatchPending()
        const users3 = [0, 1, 2].map(() => `u-${randomUUID()}`)
        for (const [i, userId] of users3.entries()) {
          await publish(bus, users.UserRegistered, {
            userId,
            email: `batch${i}-${userId}@example.com`,
            name: `B${i}`,
            roles: ['customer'],
            registeredAt: new Date().toISOString(),
          })
          await publish(
            bus,
            orders.OrderShipped,
            orderEvents(`o-${randomUUID()}`, userId).shipped(),
          )
        }
        state.failingTo = `batch1-${users3[1]}@example.com`
        try {
          // One claim takes the three (and the registrations' nothing): two go out, one fails.
          expect(await service.dispatchPending()).toBe(2)
          expect(await service.dispatchPending()).toBe(0)
        } finally {
          state.failingTo = undefined
        }
        for (const i of [0, 2]) {
          expect(sent.filter((m) => m.to === `batch${i}-${users3[i]}@example.com`)).toHaveLength(1)
          expect(await messagesOf(users3[i]!)).toMatchObject([
            { status: 'sent', attempts: 1, last_error: null },
          ])
        }
        const [failed] = await messagesOf(users3[1]!)
        expect(failed).toMatchObject({ status: 'pending', attempts: 1, sent_at: null })
        expect(failed!.last_error).toContain('451')
        clock += 3_600_000
        expect(await service.dispatchPending()).toBe(1)
        expect(await messagesOf(users3[1]!)).toMatchObject([{ status: 'sent', attempts: 2 }])
        expect(sent.filter((m) => m.to.startsWith('batch'))).toHaveLength(3)
      })

      it('sends a message whose first attempt failed once the sender recovers', async () => {
        const userId = `u-${randomUUID()}`
        await publish(bus, orders.OrderShipped, orderEvents(`o-${randomUUID()}`, userId).shipped())
        state.failing = true
        await service.dispatchPending()
        state.failing = false
        clock += 3_600_000
        expect(await service.dispatchPending()).toBe(1)
        expect(await messagesOf(userId)).toMatchObject([{ status: 'sent', attempts: 2 }])
      })
    })

    describe('status stream', () => {
      it('is described in the OpenAPI document', async () => {
        const doc = (await (await http.fetch(`${running.url}/openapi.json`)).json()) as any
        const operation = doc.paths['/orders/{id}/events'].get
        expect(Object.keys(operation.responses['200'].content)).toEqual(['text/event-stream'])
        expect(Object.keys(operation.responses)).toEqual(
          expect.arrayContaining(['200', '204', '401', '404']),
        )
      })

      it('needs a bearer token', async () => {
        const res = await http.fetch(streamUrl('o-any'))
        expect(res.status).toBe(401)
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
        expect(res.headers.get('content-type')).toMatch(/problem\+json/)
        const bad = await http.fetch(streamUrl('o-any'), {
          headers: { authorization: 'Bearer x.y.z' },
        })
        expect(bad.status).toBe(401)
      })

      it('opens with the current status, follows each change past confirmed, ends when shipped', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        const orderId = o.placed().orderId
        await publish(bus, orders.OrderPlaced, o.placed())
        const stream = await openStream(http, streamUrl(orderId), {
          ...bearer(userId),
          'x-request-id': 'req-stream-1',
        })
        expect(stream.status).toBe(200)
        expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
        expect(stream.headers.get('cache-control')).toBe('no-cache')
        expect(stream.headers.get('x-accel-buffering')).toBe('no')
        expect(stream.headers.get('x-request-id')).toBe('req-stream-1')
        expect(await stream.next()).toEqual({ retry: '2000' })
        const first = statuses([(await stream.next())!])
        expect(first).toEqual([
          {
            id: expect.any(Number),
            orderId,
            status: 'pending',
            cancellationReason: null,
            at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          },
        ])
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        const paying = statuses([(await stream.next())!])
        const confirmed = statuses([(await stream.next())!])
        expect([...paying, ...confirmed].map((e) => e.status)).toEqual([
          'awaiting_payment',
          'confirmed',
        ])
        // Confirmed is no end: the stream stays open (a heartbeat comes) until the order ships.
        expect(await stream.next(10_000)).toEqual({ comment: 'ping' })
        await publish(bus, orders.OrderShipped, o.shipped())
        const rest = statuses(await stream.rest())
        expect(rest.map((e) => e.status)).toEqual(['shipped'])
        expect(paying[0]!.id).toBeGreaterThan(first[0]!.id)
        expect(confirmed[0]!.id).toBeGreaterThan(paying[0]!.id)
        expect(rest[0]!.id).toBeGreaterThan(confirmed[0]!.id)
      })

      it('sends one event and ends when the order is final already', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderCancelled, o.cancelled('out_of_stock', 'pending'))
        const stream = await openStream(http, streamUrl(o.placed().orderId), bearer(userId))
        expect(statuses(await stream.rest())).toMatchObject([
          { status: 'cancelled', cancellationReason: 'out_of_stock' },
        ])
      })

      it('ends the stream itself after a status `until` names, past the ones before it', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        const orderId = o.placed().orderId
        await publish(bus, orders.OrderPlaced, o.placed())
        const stream = await openStream(
          http,
          `${streamUrl(orderId)}?until=confirmed,payment_failed`,
          bearer(userId),
        )
        expect(stream.status).toBe(200)
        expect(await stream.next()).toEqual({ retry: '2000' })
        expect(statuses([(await stream.next())!]).map((e) => e.status)).toEqual(['pending'])
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        // The server ends the response after confirmed: no heartbeat, no wait for shipped.
        const rest = statuses(await stream.rest(5_000))
        expect(rest.map((e) => e.status)).toEqual(['awaiting_payment', 'confirmed'])
      })

      it('ends at once after the current status when `until` names it', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        const stream = await openStream(
          http,
          `${streamUrl(o.placed().orderId)}?until=confirmed`,
          bearer(userId),
        )
        expect(statuses(await stream.rest(5_000)).map((e) => e.status)).toEqual(['confirmed'])
      })

      it('refuses an `until` that is not a list of order statuses with a 400 problem', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        for (const until of [
          'paid',
          'confirmed,',
          ',confirmed',
          'confirmed;shipped',
          '',
          'CONFIRMED',
        ]) {
          const res = await http.fetch(
            `${streamUrl(o.placed().orderId)}?until=${encodeURIComponent(until)}`,
            { headers: bearer(userId) },
          )
          expect(res.status, until).toBe(400)
          expect(res.headers.get('content-type')).toMatch(/problem\+json/)
          await res.body?.cancel()
        }
      })

      it('resumes after Last-Event-ID, and answers 204 when nothing more can come', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        const orderId = o.placed().orderId
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        await publish(bus, orders.OrderCancelled, o.cancelled('customer_cancelled', 'confirmed'))
        const seqs = (
          await db()
            .selectFrom('status_changes')
            .select('seq')
            .where('order_id', '=', orderId)
            .orderBy('seq')
            .execute()
        ).map((r) => Number(r.seq))
        expect(seqs).toHaveLength(4)

        const resumed = await openStream(http, streamUrl(orderId), {
          ...bearer(userId),
          'last-event-id': String(seqs[0]),
        })
        expect(statuses(await resumed.rest())).toMatchObject([
          { id: seqs[1], status: 'awaiting_payment' },
          { id: seqs[2], status: 'confirmed' },
          { id: seqs[3], status: 'cancelled' },
        ])

        const done = await http.fetch(streamUrl(orderId), {
          headers: { ...bearer(userId), 'last-event-id': String(seqs[3]) },
        })
        expect(done.status).toBe(204)

        // An id the order never reached is ignored: the stream starts from the current status.
        const bogus = await openStream(http, streamUrl(orderId), {
          ...bearer(userId),
          'last-event-id': String(seqs[3]! + 1000),
        })
        expect(statuses(await bogus.rest())).toMatchObject([{ id: seqs[3], status: 'cancelled' }])
      })

      it("hides someone else's order, but not from an admin", async () => {
        const o = orderEvents(`o-${randomUUID()}`, 'u-owner')
        await publish(bus, orders.OrderPlaced, o.placed())
        await publish(bus, orders.OrderConfirmed, o.confirmed())
        await publish(bus, orders.OrderShipped, o.shipped())
        const res = await http.fetch(streamUrl(o.placed().orderId), {
          headers: bearer('u-intruder'),
        })
        expect(res.status).toBe(404)
        expect(res.headers.get('content-type')).toMatch(/problem\+json/)
        expect(await res.json()).toMatchObject({ code: 'NOTIFICATIONS.ORDER_NOT_FOUND' })
        const admin = await openStream(
          http,
          streamUrl(o.placed().orderId),
          bearer('u-staff', ['customer', 'admin']),
        )
        expect(statuses(await admin.rest())).toMatchObject([{ status: 'shipped' }])
      })

      it('waits for an order not known yet, then 404s', async () => {
        const started = Date.now()
        const res = await http.fetch(streamUrl(`o-${randomUUID()}`), { headers: bearer('u-1') })
        expect(res.status).toBe(404)
        expect(Date.now() - started).toBeGreaterThanOrEqual(950)
        expect(res.headers.get('x-request-id')).toBeTruthy()
      })

      it('opens the stream of an order whose order.placed arrives during the wait', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        const opening = openStream(http, streamUrl(o.placed().orderId), bearer(userId))
        await new Promise((resolve) => setTimeout(resolve, 200))
        await publish(bus, orders.OrderPlaced, o.placed())
        const stream = await opening
        expect(stream.status).toBe(200)
        await stream.next()
        expect(statuses([(await stream.next())!])).toMatchObject([{ status: 'pending' }])
        stream.close()
      })

      it('sends heartbeats while nothing happens, and lets the client go', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        const stream = await openStream(http, streamUrl(o.placed().orderId), bearer(userId))
        await stream.next()
        await stream.next()
        expect(await stream.next(2_500)).toEqual({ comment: 'ping' })
        stream.close()
        // The order goes on; the closed stream's timers and watch are gone (nothing throws).
        await publish(bus, orders.OrderConfirmed, o.confirmed())
      })

      it('caps a user’s open streams: one more is a 429, and a closed one frees its slot', async () => {
        const userId = `u-${randomUUID()}`
        const ids = Array.from({ length: 6 }, () => `o-${randomUUID()}`)
        for (const id of ids)
          await publish(bus, orders.OrderPlaced, orderEvents(id, userId).placed())
        const open: Array<Awaited<ReturnType<typeof openStream>>> = []
        for (const id of ids.slice(0, 5)) {
          const stream = await openStream(http, streamUrl(id), bearer(userId))
          expect(stream.status).toBe(200)
          open.push(stream)
        }
        const refused = await http.fetch(streamUrl(ids[5]!), { headers: bearer(userId) })
        expect(refused.status).toBe(429)
        expect(refused.headers.get('retry-after')).toBe('5')
        expect(refused.headers.get('content-type')).toMatch(/problem\+json/)
        expect(await refused.json()).toMatchObject({
          status: 429,
          code: 'NOTIFICATIONS.TOO_MANY_STREAMS',
        })
        // Another shopper is not held back by this one.
        const otherId = `u-${randomUUID()}`
        const theirs = orderEvents(`o-${randomUUID()}`, otherId)
        await publish(bus, orders.OrderPlaced, theirs.placed())
        const other = await openStream(http, streamUrl(theirs.placed().orderId), bearer(otherId))
        expect(other.status).toBe(200)
        other.close()
        // Closing a stream frees its slot once the server sees the client go.
        open.shift()!.close()
        let reopened: Awaited<ReturnType<typeof openStream>> | undefined
        for (let attempt = 0; attempt < 50 && !reopened; attempt++) {
          const stream = await openStream(http, streamUrl(ids[5]!), bearer(userId))
          if (stream.status === 200) reopened = stream
          else {
            expect(stream.status).toBe(429)
            stream.close()
            await delay(100)
          }
        }
        expect(reopened).toBeDefined()
        for (const stream of [...open, reopened!]) stream.close()
      })

      it('ends open streams when the server stops, without waiting for them', async () => {
        const userId = `u-${randomUUID()}`
        const o = orderEvents(`o-${randomUUID()}`, userId)
        await publish(bus, orders.OrderPlaced, o.placed())
        const own = httpClient()
        const stream = await openStream(own, streamUrl(o.placed().orderId), bearer(userId))
        await stream.next()
        await stream.next()
        await http.close()
        const rest = stream.rest(3_000)
        const started = Date.now()
        await running.stopHttp()
        expect(Date.now() - started).toBeLessThan(2_000)
        expect(await rest).toEqual([])
        await own.close()
      })
    })
  })
}
