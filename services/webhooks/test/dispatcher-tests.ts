import { afterAll, beforeAll, expect, it } from 'vitest'
import type { WebhookSender } from '../src/app/ports.js'
import { register } from './endpoint-tests.js'
import { startReceiver, verifies, type Receiver } from './test-receiver.js'
import type { Harness } from './webhooks-harness.js'

/** Replicas' dispatchers sharing deliveries: leases, and a dispatcher that dies mid-delivery. */
export function dispatcherTests(harness: () => Harness) {
  let r: Receiver

  beforeAll(async () => {
    r = await startReceiver()
  })

  afterAll(async () => {
    await r?.close()
  })

  it('sends each delivery once when two replicas dispatch at once', async () => {
    const h = harness()
    r.answer = () => ({ status: 200, delayMs: 20 })
    try {
      const endpoint = await register(h, `${r.url}/pair`)
      for (let i = 0; i < 30; i++) {
        expect((await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)).status).toBe(202)
      }
      const other = await h.replica({}, { WEBHOOKS_BATCH_SIZE: '5' })
      const [a, b] = await Promise.all([h.service.dispatchDue(), other.dispatchDue()])
      await h.until(() => r.to('/pair').length >= 30, 'every delivery')
      const ids = r.to('/pair').map((request) => request.headers['webhook-id'])
      expect(new Set(ids).size).toBe(30)
      expect(ids).toHaveLength(30)
      expect(a + b).toBeLessThanOrEqual(30)
    } finally {
      r.answer = () => ({ status: 200, body: 'ok' })
    }
  })

  it('sends again, with the same webhook-id, what a replica claimed and never finished', async () => {
    const h = harness()
    // A replica that claims and then hangs mid-delivery (as if killed); its lease is 1 s.
    let release: (status: number) => void = () => {}
    const hung = new Promise<number>((resolve) => (release = resolve))
    let claimed = 0
    const stuck: WebhookSender = {
      async send(request) {
        // What else falls due meanwhile (an earlier test's retry, on this shared database) is
        // answered at once: only this test's delivery hangs, and only it is counted.
        if (!request.url.endsWith('/lease')) {
          return { outcome: { kind: 'answered', status: 200 }, durationMs: 1 }
        }
        claimed += 1
        const status = await hung
        return { outcome: { kind: 'answered', status }, durationMs: 1 }
      },
    }
    const dying = await h.replica({ sender: stuck }, { WEBHOOKS_LEASE_MS: '1000' })
    const endpoint = await register(h, `${r.url}/lease`)
    const sent = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
    const dyingRun = dying.dispatchDue()
    // Not h.until: it dispatches on the other replica too, which could claim the delivery first.
    for (const deadline = Date.now() + 30_000; claimed === 0;) {
      if (Date.now() > deadline)
        throw new Error('timed out waiting for the claim of the dying replica')
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    expect(claimed).toBe(1)
    const leased = await h.db
      .selectFrom('webhook_deliveries')
      .select(['lease_until', 'event_id'])
      .where('id', '=', sent.body.deliveryId)
      .executeTakeFirstOrThrow()
    // Leased: the other replica leaves it alone until the lease ends, then sends it.
    await h.service.dispatchDue()
    if (Date.now() < leased.lease_until!.getTime()) expect(r.to('/lease')).toHaveLength(0)
    await h.until(() => r.to('/lease').length >= 1, 'the delivery after the lease')
    expect(Date.now()).toBeGreaterThanOrEqual(leased.lease_until!.getTime())
    const got = r.to('/lease')[0]!
    expect(got.headers['webhook-id']).toBe(leased.event_id)
    expect(verifies(got, endpoint.secret)).toBe(true)
    await h.until(async () => {
      const row = await h.db
        .selectFrom('webhook_deliveries')
        .select('status')
        .where('id', '=', sent.body.deliveryId)
        .executeTakeFirstOrThrow()
      return row.status === 'delivered'
    }, 'the delivery recorded')
    // The hung replica's late failure does not undo it: its lease is gone.
    release(500)
    await dyingRun
    const after = await h.call('GET', `/webhooks/deliveries/${sent.body.deliveryId}`)
    expect(after.body.status).toBe('delivered')
    expect(after.body.attemptLog.map((a: { responseStatus: number }) => a.responseStatus)).toEqual(
      expect.arrayContaining([200, 500]),
    )
    await dying.close?.()
  })
}
