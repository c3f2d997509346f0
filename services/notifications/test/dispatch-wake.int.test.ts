import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { orders, users } from '@emporium/contracts'
import { orderEvents, publish, startNotifications } from './support.js'

/**
 * The dispatcher as the service runs it, woken by the consumer that queued a message: its poll
 * is set to ten minutes here (and a wake before its first run runs it at once), so a message
 * sent within the test's wait was sent because the consumer's commit woke the dispatcher. At
 * rest the dispatcher looks every few seconds, not twice a second. Each case starts a service of
 * its own: a later wake runs the dispatcher ten minutes after its previous run.
 */
describe('notifications dispatch woken by the consumer that queued the message', () => {
  let started: Awaited<ReturnType<typeof startNotifications>>

  beforeEach(async () => {
    started = await startNotifications('pglite', { dispatchIntervalMs: 600_000 })
  })

  afterEach(async () => {
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

  it('sends an order confirmation once its event is applied, with no poll due', async () => {
    const userId = `u-${randomUUID()}`
    await publish(started.bus, users.UserRegistered, {
      userId,
      email: 'confirmed@example.com',
      name: 'Cyd',
      roles: ['customer'],
      registeredAt: new Date().toISOString(),
    })
    await publish(
      started.bus,
      orders.OrderConfirmed,
      orderEvents(`o-${randomUUID()}`, userId).confirmed(),
    )
    await expect
      .poll(() => started.sent.filter((m) => m.to === 'confirmed@example.com').length, {
        timeout: 30_000,
        interval: 50,
      })
      .toBe(1)
  })
})
