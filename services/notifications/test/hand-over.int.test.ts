import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { orders } from '@emporium/contracts'
import {
  createInProcessBus,
  createLogger,
  startService,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createNotificationsService, loadNotificationsConfig } from '../src/service.js'
import {
  createTestTokens,
  httpClient,
  openStream,
  orderEvents,
  publish,
  statuses,
} from './support.js'

// The service as the runtime starts it, with a poll too slow to matter (a minute): a stream on
// the replica whose consumers commit the changes gets each of them from the hand-over alone,
// from the order's first change (the stream opened before it) to its final one.
describe.each(['postgres', 'pglite'] as const)(
  'status streams fed by the hand-over alone on %s',
  (kind) => {
    const log = createLogger({ service: 'notifications', level: 'silent' })
    const bus = createInProcessBus({ retry: { delaysMs: [10, 10] }, log })
    const tokens = createTestTokens()
    const http = httpClient()
    let testDb: TestDatabase
    let running: RunningService

    beforeAll(async () => {
      testDb = await createTestDatabase(kind)
      const config = loadNotificationsConfig({
        NOTIFICATIONS_DATABASE_URL: testDb.url,
        NOTIFICATIONS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        NOTIFICATIONS_STREAM_POLL_MS: '60000',
        NOTIFICATIONS_STREAM_ORDER_WAIT_MS: '20000',
        LOG_LEVEL: 'silent',
      })
      const service = await createNotificationsService(config, {
        log,
        database: testDb.database,
        verifier: tokens.verifier,
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

    it('streams every change of an order without polling', async () => {
      const userId = `u-${randomUUID()}`
      const o = orderEvents(`o-${randomUUID()}`, userId)
      const orderId = o.placed().orderId
      const opening = openStream(http, `${running.url}/orders/${orderId}/events`, {
        authorization: `Bearer ${tokens.token(userId)}`,
      })
      await new Promise((resolve) => setTimeout(resolve, 300))
      await publish(bus, orders.OrderPlaced, o.placed())
      const stream = await opening
      expect(stream.status).toBe(200)
      expect(await stream.next()).toEqual({ retry: '2000' })
      expect(statuses([(await stream.next(10_000))!])).toMatchObject([{ status: 'pending' }])
      await publish(bus, orders.OrderPaymentRequested, o.paymentRequested())
      expect(statuses([(await stream.next(10_000))!])).toMatchObject([
        { status: 'awaiting_payment' },
      ])
      await publish(bus, orders.OrderConfirmed, o.confirmed())
      expect(statuses([(await stream.next(10_000))!])).toMatchObject([
        { status: 'confirmed', orderId },
      ])
      await publish(bus, orders.OrderShipped, o.shipped())
      expect(statuses(await stream.rest(10_000))).toMatchObject([{ status: 'shipped', orderId }])
    })
  },
)
