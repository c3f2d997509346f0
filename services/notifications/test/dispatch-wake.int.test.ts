import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { users } from '@emporium/contracts'
import { publish, startNotifications } from './support.js'

/**
 * The dispatcher as the service runs it, woken by the consumer that queued a message: its poll
 * is set to ten minutes here (and a wake before its first run runs it at once), so a message
 * sent within the test's wait was sent because the consumer's commit woke the dispatcher. At
 * rest the dispatcher looks every few seconds, not twice a second.
 */
describe('notifications dispatch woken by the consumer that queued the message', () => {
  let started: Awaited<ReturnType<typeof startNotifications>>

  beforeAll(async () => {
    started = await startNotifications('pglite', { dispatchIntervalMs: 600_000 })
  })

  afterAll(async () => {
    await started?.stop()
  })

  it('sends a verification link once its event is applied, with no poll due', async () => {
    const link = `https://shop.example/verify-email#token=${randomUUID()}`
    await publish(started.bus, users.UserVerificationRequested, {
      userId: `u-${randomUUID()}`,
      email: 'woken@example.com',
      name: 'Wren',
      link,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
    })
    await expect
      .poll(() => started.sent.filter((m) => m.to === 'woken@example.com').length, {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(1)
  })
})
