import { randomUUID } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { register } from './endpoint-tests.js'
import { startReceiver, type Receiver } from './test-receiver.js'
import { createHarness, type Harness } from './webhooks-harness.js'

/**
 * The dispatcher as the service runs it, woken by what this replica stores. Its poll is set to
 * ten minutes here, and a wake runs it at once only before its first run (after one, a wake
 * waits the poll interval after it): so each case has a service of its own, and a delivery that
 * arrives within the test's wait was sent because a fan-out's commit or a test delivery woke the
 * dispatcher. (A replay wakes it too; at rest the dispatcher looks every few seconds.)
 */
describe('webhook dispatch woken by this replica', () => {
  let h: Harness | undefined
  let r: Receiver
  const poll = { timeout: 30_000, interval: 50 }
  // The service as the runtime starts it, its dispatcher on its timer.
  const woken = async () =>
    (h = await createHarness('pglite', { WEBHOOKS_DISPATCH_INTERVAL_MS: '600000' }))

  beforeAll(async () => {
    r = await startReceiver()
  })

  afterEach(async () => {
    await h?.close()
    h = undefined
  })

  afterAll(async () => {
    await r?.close()
  })

  it('delivers a subscribed event once the fan-out commits, with no poll due', async () => {
    const h = await woken()
    await register(h, `${r.url}/woken`, ['product.deleted'])
    await h.publish('product.deleted', { productId: `p-${randomUUID()}` })
    await expect.poll(() => r.to('/woken').length, poll).toBe(1)
  })

  it('sends a test delivery at once', async () => {
    const h = await woken()
    const endpoint = await register(h, `${r.url}/test-event`)
    expect((await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)).status).toBe(202)
    await expect.poll(() => r.to('/test-event').length, poll).toBe(1)
  })
})
