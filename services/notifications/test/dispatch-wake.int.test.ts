import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { users } from '@emporium/contracts'
import {
  createInProcessBus,
  createLogger,
  startService,
  type RunningService,
} from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createNotificationsService, loadNotificationsConfig } from '../src/service.js'
import { createTestTokens, publish, recordingSender } from './support.js'

/**
 * The dispatcher as the service runs it, woken by the consumer that queued a message: its poll
 * is set to ten minutes here (and a wake before its first run runs it at once), so a message
 * sent within the test's wait was sent because the consumer's commit woke the dispatcher. At
 * rest the dispatcher looks every few seconds, not twice a second.
 */
describe('notifications dispatch woken by the consumer that queued the message', () => {
  const log = createLogger({ service: 'notifications', level: 'silent' })
  const bus = createInProcessBus({ retry: { delaysMs: [10] }, log })
  const { sender, sent } = recordingSender()
  let testDb: TestDatabase
  let running: RunningService

  beforeAll(async () => {
    testDb = await createTestDatabase('pglite')
    const tokens = createTestTokens()
    const config = loadNotificationsConfig({
      NOTIFICATIONS_DATABASE_URL: testDb.url,
      NOTIFICATIONS_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      LOG_LEVEL: 'silent',
    })
    const service = await createNotificationsService(config, {
      log,
      database: testDb.database,
      verifier: tokens.verifier,
      sender,
      dispatchIntervalMs: 600_000,
    })
    running = await startService(service, { port: 0, log, bus })
  })

  afterAll(async () => {
    await running?.stopHttp()
    await bus.close()
    await running?.close()
    await testDb?.drop()
  })

  it('sends a verification link once its event is applied, with no poll due', async () => {
    const link = `https://shop.example/verify-email#token=${randomUUID()}`
    await publish(bus, users.UserVerificationRequested, {
      userId: `u-${randomUUID()}`,
      email: 'woken@example.com',
      name: 'Wren',
      link,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    })
    await expect
      .poll(() => sent.filter((m) => m.to === 'woken@example.com').length, {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(1)
  })
})
