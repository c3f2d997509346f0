import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders, users } from '@emporium/contracts'
import {
  createInProcessBus,
  createLogger,
  startService,
  type EventBus,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createNotificationsService, loadNotificationsConfig } from '../src/service.js'
import {
  createTestTokens,
  envelope,
  httpClient,
  openStream,
  orderEvents,
  publish,
  statuses,
} from './support.js'

// Two replicas of the service, each with its own connection pool, bus and dispatcher loop, on
// one PostgreSQL database: what one consumes, the other's streams and dispatcher see.
describe('two replicas on one PostgreSQL database', () => {
  const log = createLogger({ service: 'notifications', level: 'silent' })
  const tokens = createTestTokens()
  const http = httpClient()
  let testDb: TestDatabase
  let dir: string
  let mailbox: string
  const replicas: Array<{ bus: EventBus; running: RunningService }> = []
  const a = () => replicas[0]!
  const b = () => replicas[1]!

  beforeAll(async () => {
    testDb = await createTestDatabase('postgres')
    dir = await mkdtemp(join(tmpdir(), 'notifications-'))
    mailbox = join(dir, 'mail', 'outbox.jsonl')
    const config = loadNotificationsConfig({
      NOTIFICATIONS_DATABASE_URL: testDb.url,
      NOTIFICATIONS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      NOTIFICATIONS_SENDER: `file:${mailbox}`,
      NOTIFICATIONS_STREAM_POLL_MS: '100',
      NOTIFICATIONS_STREAM_ORDER_WAIT_MS: '3000',
      LOG_LEVEL: 'silent',
    })
    for (let i = 0; i < 2; i++) {
      const bus = createInProcessBus({ retry: { delaysMs: [10, 10] }, log })
      const service = await createNotificationsService(config, {
        log,
        verifier: tokens.verifier,
        dispatchIntervalMs: 50,
      })
      replicas.push({ bus, running: await startService(service, { port: 0, log, bus }) })
    }
  })

  afterAll(async () => {
    await http.close()
    for (const { bus, running } of replicas) {
      await running.stopHttp()
      await bus.close()
      await running.close()
    }
    await testDb?.drop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  async function mailFor(orderId: string) {
    const text = await readFile(mailbox, 'utf8').catch(() => '')
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; to: string; subject: string; text: string })
      .filter((message) => message.subject.includes(orderId))
  }

  it("streams from A every change that B consumed, A's own bus silent", async () => {
    const userId = `u-${randomUUID()}`
    const o = orderEvents(`o-${randomUUID()}`, userId)
    const orderId = o.placed().orderId
    // Opened before the order exists anywhere: A waits for B to consume order.placed.
    const opening = openStream(http, `${a().running.url}/orders/${orderId}/events`, {
      authorization: `Bearer ${tokens.token(userId)}`,
    })
    await new Promise((resolve) => setTimeout(resolve, 300))
    await publish(b().bus, orders.OrderPlaced, o.placed())
    const stream = await opening
    expect(stream.status).toBe(200)
    expect(await stream.next()).toEqual({ retry: '2000' })
    expect(statuses([(await stream.next())!])).toMatchObject([{ status: 'pending' }])

    await publish(b().bus, orders.OrderPaymentRequested, o.paymentRequested())
    expect(statuses([(await stream.next())!])).toMatchObject([{ status: 'awaiting_payment' }])
    await publish(b().bus, orders.OrderConfirmed, o.confirmed())
    expect(statuses([(await stream.next())!])).toMatchObject([{ status: 'confirmed', orderId }])
    await publish(b().bus, orders.OrderShipped, o.shipped())
    expect(statuses(await stream.rest())).toMatchObject([{ status: 'shipped', orderId }])
  })

  it('caps a user’s open streams across both replicas, opened all at once', async () => {
    const userId = `u-${randomUUID()}`
    const ids = Array.from({ length: 8 }, () => `o-${randomUUID()}`)
    for (const id of ids)
      await publish(b().bus, orders.OrderPlaced, orderEvents(id, userId).placed())
    const headers = { authorization: `Bearer ${tokens.token(userId)}` }
    const streams = await Promise.all(
      ids.map((id, i) =>
        openStream(http, `${replicas[i % 2]!.running.url}/orders/${id}/events`, headers),
      ),
    )
    const codes = streams.map((stream) => stream.status).sort()
    expect(codes).toEqual([200, 200, 200, 200, 200, 429, 429, 429])
    for (const stream of streams) stream.close()
  })

  it('does not count the slots of a replica that died (their leases expired)', async () => {
    const userId = `u-${randomUUID()}`
    const orderId = `o-${randomUUID()}`
    await publish(b().bus, orders.OrderPlaced, orderEvents(orderId, userId).placed())
    const db = testDb.database.db as Kysely<{
      stream_leases: { id: string; user_id: string; slot: number; expires_at: Date }
    }>
    const gone = new Date(Date.now() - 60_000)
    await db
      .insertInto('stream_leases')
      .values(
        Array.from({ length: 5 }, (_, slot) => ({
          id: randomUUID(),
          user_id: userId,
          slot,
          expires_at: gone,
        })),
      )
      .execute()
    const stream = await openStream(http, `${a().running.url}/orders/${orderId}/events`, {
      authorization: `Bearer ${tokens.token(userId)}`,
    })
    expect(stream.status).toBe(200)
    stream.close()
  })

  it('applies an event delivered to both replicas at once only once', async () => {
    const userId = `u-${randomUUID()}`
    const o = orderEvents(`o-${randomUUID()}`, userId)
    const orderId = o.placed().orderId
    await publish(b().bus, users.UserRegistered, {
      userId,
      email: 'twice@example.com',
      name: 'Twice',
      roles: ['customer'],
      registeredAt: new Date().toISOString(),
    })
    for (const event of [
      envelope(orders.OrderPlaced, o.placed()),
      envelope(orders.OrderConfirmed, o.confirmed()),
    ]) {
      await Promise.all([a().bus.publish(event), b().bus.publish(structuredClone(event))])
    }
    const db = testDb.database.db
    const changes = await db
      .selectFrom('status_changes')
      .select('status')
      .where('order_id', '=', orderId)
      .orderBy('seq')
      .execute()
    expect(changes.map((c) => c.status)).toEqual(['pending', 'confirmed'])
    const messages = await db
      .selectFrom('messages')
      .select('template')
      .where('order_id', '=', orderId)
      .execute()
    expect(messages).toEqual([{ template: 'order_confirmed' }])

    // Both dispatchers poll the same queue: the file sender gets the message once.
    const deadline = Date.now() + 5_000
    while ((await mailFor(orderId)).length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    const mail = await mailFor(orderId)
    expect(mail).toHaveLength(1)
    expect(mail[0]).toMatchObject({
      to: 'twice@example.com',
      subject: `Your Emporium order ${orderId} is confirmed`,
    })
    expect(mail[0]!.text).toContain('Hello Twice,')
  })
})
