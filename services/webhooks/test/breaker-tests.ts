import { afterAll, beforeAll, expect, it } from 'vitest'
import { register } from './endpoint-tests.js'
import { startReceiver, type Receiver } from './test-receiver.js'
import type { Harness } from './webhooks-harness.js'

/** The settings `breakerTests` needs of its harness. */
export const breakerEnv = {
  WEBHOOKS_BREAKER_FAILURES: '2',
  WEBHOOKS_BREAKER_COOLDOWN_MS: '1500',
  WEBHOOKS_RETRY_DELAYS_MS: '50,50,50,50,50,50,50,50,50,50,50,50,50,50,50,50,50,50,50,50',
  // 3.6 s of continuous failure disables an endpoint.
  WEBHOOKS_DISABLE_AFTER_HOURS: '0.001',
}

/** The per-endpoint circuit breaker, and an endpoint disabled for failing too long. */
export function breakerTests(harness: () => Harness) {
  let r: Receiver

  beforeAll(async () => {
    r = await startReceiver()
  })

  afterAll(async () => {
    await r?.close()
  })

  const test = (h: Harness, id: string) => h.call('POST', `/webhooks/endpoints/${id}/test`)
  const row = (h: Harness, id: string) =>
    h.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

  it('opens after consecutive failures, holds the deliveries, probes with one, closes on success', async () => {
    const h = harness()
    let healthy = false
    r.answer = () => (healthy ? { status: 200 } : { status: 503 })
    const endpoint = await register(h, `${r.url}/breaker`)
    await test(h, endpoint.id)
    await h.until(() => r.to('/breaker').length >= 2, 'two failures')
    const opened = await row(h, endpoint.id)
    expect(opened.consecutive_failures).toBeGreaterThanOrEqual(2)
    expect(opened.breaker_open_until!.getTime()).toBeGreaterThan(Date.now())
    // Open: new deliveries wait, although due.
    for (let i = 0; i < 3; i++) await test(h, endpoint.id)
    const seen = r.to('/breaker').length
    for (let i = 0; i < 5; i++) {
      await h.service.dispatchDue()
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    if (Date.now() < (await row(h, endpoint.id)).breaker_open_until!.getTime()) {
      expect(r.to('/breaker').length).toBe(seen)
    }
    // Half-open after the wait: exactly one probe, which fails and opens it again.
    await h.until(() => r.to('/breaker').length > seen, 'the probe')
    await h.service.dispatchDue()
    expect(r.to('/breaker').length).toBe(seen + 1)
    // The endpoint recovers: the next probe closes the breaker and the rest follow.
    healthy = true
    await h.until(async () => {
      const list = await h.call(
        'GET',
        `/webhooks/endpoints/${endpoint.id}/deliveries?status=delivered`,
      )
      return list.body.items.length === 4
    }, 'every delivery after recovery')
    const closed = await row(h, endpoint.id)
    expect(closed.consecutive_failures).toBe(0)
    expect(closed.failing_since).toBeNull()
    r.answer = () => ({ status: 200 })
  })

  it('disables an endpoint failing for longer than the limit and tells its owner', async () => {
    const h = harness()
    r.answer = (request) => (request.path === '/down' ? { status: 500 } : { status: 200 })
    const endpoint = await register(h, `${r.url}/down`)
    await test(h, endpoint.id)
    await h.until(async () => (await row(h, endpoint.id)).status === 'disabled', 'the disabling')
    const view = await h.call('GET', `/webhooks/endpoints/${endpoint.id}`)
    expect(view.body).toMatchObject({ status: 'disabled', disabledReason: 'failing' })
    expect(view.body.failingSince).toBeDefined()
    const events = await h.db
      .selectFrom('outbox')
      .select('payload')
      .where('type', '=', 'webhook.endpoint-disabled')
      .execute()
    const mine = events
      .map((e) => JSON.parse(e.payload))
      .filter((e) => e.data.endpointId === endpoint.id)
    expect(mine).toHaveLength(1)
    expect(mine[0].data.url).toBe(`${r.url}/down`)
    // Disabled: nothing more is sent.
    const seen = r.to('/down').length
    for (let i = 0; i < 5; i++) await h.service.dispatchDue()
    expect(r.to('/down').length).toBe(seen)
    // Enabled again, it starts afresh and its pending delivery goes out.
    r.answer = () => ({ status: 200 })
    const enabled = await h.call('PATCH', `/webhooks/endpoints/${endpoint.id}`, { enabled: true })
    expect(enabled.body.failingSince).toBeUndefined()
    await h.until(() => r.to('/down').length > seen, 'the delivery after enabling')
  })
}
