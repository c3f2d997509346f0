import { randomUUID } from 'node:crypto'
import { closedPort } from '@emporium/platform/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { register } from './endpoint-tests.js'
import { startReceiver, verifies, type Receiver } from './test-receiver.js'
import type { Harness } from './webhooks-harness.js'

/** The delivery of an endpoint's one delivery, as the API shows it. */
async function onlyDelivery(h: Harness, endpointId: string) {
  const list = await h.call('GET', `/webhooks/endpoints/${endpointId}/deliveries`)
  expect(list.status).toBe(200)
  expect(list.body.items).toHaveLength(1)
  return (await h.call('GET', `/webhooks/deliveries/${list.body.items[0].id}`)).body
}

/** A test event sent to a new endpoint at `path` of the receiver. */
async function testEventTo(h: Harness, url: string) {
  const endpoint = await register(h, url)
  const sent = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
  expect(sent.status).toBe(202)
  return { endpoint, deliveryId: sent.body.deliveryId as string }
}

const deliveryOf = async (h: Harness, id: string) =>
  (await h.call('GET', `/webhooks/deliveries/${id}`)).body

/** Deliveries, their signatures, retries, refusals, rotation and replay. */
export function deliveryTests(harness: () => Harness) {
  let r: Receiver

  beforeAll(async () => {
    r = await startReceiver()
  })

  afterAll(async () => {
    await r?.close()
  })

  it('delivers a subscribed event once per endpoint, signed, with the event id as webhook-id', async () => {
    const h = harness()
    const wanted = await register(h, `${r.url}/product`, ['product.deleted'])
    const other = await register(h, `${r.url}/orders-only`, ['order.placed'])
    const productId = `p-${randomUUID()}`
    const eventId = await h.publish('product.deleted', { productId })
    await h.until(() => r.to('/product').length >= 1, 'the delivery')
    // The same event again (a broker's redelivery): nothing stored twice, nothing sent twice.
    await h.publish('product.deleted', { productId }, eventId)
    await h.publish('product.deleted', { productId: `p-${randomUUID()}` })
    await h.until(() => r.to('/product').length >= 2, 'the second event')
    await new Promise((resolve) => setTimeout(resolve, 200))
    await h.service.dispatchDue()
    const got = r.to('/product')
    expect(got).toHaveLength(2)
    expect(got[0]!.headers['webhook-id']).toBe(eventId)
    expect(verifies(got[0]!, wanted.secret)).toBe(true)
    expect(verifies(got[0]!, other.secret)).toBe(false)
    expect(Number(got[0]!.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2)
    const body = JSON.parse(got[0]!.body)
    expect(body).toMatchObject({ type: 'product.deleted', data: { productId } })
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp)
    expect(r.to('/orders-only')).toHaveLength(0)
    // A tampered body fails the partner's check.
    expect(
      verifies({ ...got[0]!, body: got[0]!.body.replace(productId, 'other') }, wanted.secret),
    ).toBe(false)

    const list = await h.call('GET', `/webhooks/endpoints/${wanted.id}/deliveries?status=delivered`)
    expect(list.body.items).toHaveLength(2)
    const delivery = await deliveryOf(h, list.body.items.at(-1).id)
    expect(delivery).toMatchObject({
      eventId,
      status: 'delivered',
      attempts: 1,
      type: 'product.deleted',
    })
    expect(delivery.payload).toEqual(body)
    expect(delivery.attemptLog).toHaveLength(1)
    expect(delivery.attemptLog[0]).toMatchObject({ responseStatus: 200, responseBody: 'ok' })
  })

  it('retries 5xx and timeouts along the schedule with the same webhook-id, then delivers', async () => {
    const h = harness()
    let calls = 0
    r.answer = (request) =>
      request.path !== '/flaky'
        ? { status: 200 }
        : ++calls === 1
          ? { status: 500, body: 'x'.repeat(5000) }
          : calls === 2
            ? { status: 200, delayMs: 3000 } // past the 1 s timeout
            : { status: 204 }
    try {
      const { deliveryId } = await testEventTo(h, `${r.url}/flaky`)
      await h.until(
        async () => (await deliveryOf(h, deliveryId)).status === 'delivered',
        'delivery',
      )
      const delivery = await deliveryOf(h, deliveryId)
      expect(delivery.attempts).toBe(3)
      const log = delivery.attemptLog
      expect(log.map((a: { responseStatus?: number }) => a.responseStatus)).toEqual([
        500,
        undefined,
        204,
      ])
      expect(log[0].responseBody).toHaveLength(1024)
      expect(log[1].error).toMatch(/timeout/)
      // The schedule: 100 ms after the first, 200 ms after the second (jitter 0 in tests).
      const gap = (i: number) =>
        Date.parse(log[i + 1].startedAt) - (Date.parse(log[i].startedAt) + log[i].durationMs)
      expect(gap(0)).toBeGreaterThanOrEqual(90)
      expect(gap(1)).toBeGreaterThanOrEqual(190)
      const ids = new Set(r.to('/flaky').map((request) => request.headers['webhook-id']))
      expect(ids.size).toBe(1)
    } finally {
      r.answer = () => ({ status: 200, body: 'ok' })
    }
  })

  it('retries a refused connection, and gives up when the schedule is spent', async () => {
    const h = harness()
    const port = await closedPort()
    const { deliveryId } = await testEventTo(h, `http://127.0.0.1:${port}/closed`)
    await h.until(async () => (await deliveryOf(h, deliveryId)).status === 'failed', 'giving up')
    const delivery = await deliveryOf(h, deliveryId)
    // Delays 100, 200, 300: four attempts.
    expect(delivery.attemptLog).toHaveLength(4)
    for (const attempt of delivery.attemptLog) expect(attempt.error).toMatch(/ECONNREFUSED/)
  })

  it('fails other 4xx at once, and retries 429 no sooner than Retry-After', async () => {
    const h = harness()
    r.answer = (request) =>
      request.path === '/gone'
        ? { status: 410 }
        : request.path === '/busy'
          ? r.to('/busy').length === 1
            ? { status: 429, headers: { 'retry-after': '1' } }
            : { status: 200 }
          : { status: 200 }
    try {
      const gone = await testEventTo(h, `${r.url}/gone`)
      await h.until(async () => (await deliveryOf(h, gone.deliveryId)).status === 'failed', '410')
      expect((await deliveryOf(h, gone.deliveryId)).attemptLog).toHaveLength(1)

      const busy = await testEventTo(h, `${r.url}/busy`)
      await h.until(
        async () => (await deliveryOf(h, busy.deliveryId)).status === 'delivered',
        '429',
      )
      const log = (await deliveryOf(h, busy.deliveryId)).attemptLog
      expect(log.map((a: { responseStatus: number }) => a.responseStatus)).toEqual([429, 200])
      expect(Date.parse(log[1].startedAt) - Date.parse(log[0].startedAt)).toBeGreaterThanOrEqual(
        990,
      )
      expect(r.to('/gone')).toHaveLength(1)
    } finally {
      r.answer = () => ({ status: 200, body: 'ok' })
    }
  })

  it('follows no redirect', async () => {
    const h = harness()
    r.answer = (request) =>
      request.path === '/moved'
        ? { status: 302, headers: { location: `${r.url}/elsewhere` } }
        : { status: 200 }
    try {
      const { deliveryId } = await testEventTo(h, `${r.url}/moved`)
      await h.until(async () => (await deliveryOf(h, deliveryId)).status === 'failed', 'the 302')
      expect((await deliveryOf(h, deliveryId)).attemptLog[0].responseStatus).toBe(302)
      expect(r.to('/elsewhere')).toHaveLength(0)
    } finally {
      r.answer = () => ({ status: 200, body: 'ok' })
    }
  })

  it('refuses loopback hosts not on the allow-list, by address or by name, at every attempt', async () => {
    const h = harness()
    const port = new URL(r.url).port
    const before = r.received.length
    for (const url of [
      `https://localhost:${port}/ssrf`,
      `https://127.0.0.2:${port}/ssrf`,
      `https://[::1]:${port}/ssrf`,
    ]) {
      const { deliveryId } = await testEventTo(h, url)
      await h.until(
        async () => (await deliveryOf(h, deliveryId)).attemptLog.length >= 2,
        `two attempts to ${url}`,
      )
      const delivery = await deliveryOf(h, deliveryId)
      for (const attempt of delivery.attemptLog) {
        expect(attempt.error, url).toMatch(/refused: .*not public/)
      }
      // Refused addresses are retried like connection errors: DNS may change.
      expect(['pending', 'failed']).toContain(delivery.status)
    }
    expect(r.received.length).toBe(before)
  })

  it('signs with both secrets during a rotation overlap, and with the new one after', async () => {
    const h = harness()
    const endpoint = await register(h, `${r.url}/rotate`)
    const rotated = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/secret/rotate`, {
      overlapSeconds: 3600,
    })
    expect(rotated.status).toBe(200)
    expect(rotated.body.secret).toMatch(/^whsec_/)
    expect(rotated.body.secret).not.toBe(endpoint.secret)
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(3500_000)
    await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
    await h.until(() => r.to('/rotate').length >= 1, 'the overlap delivery')
    const overlap = r.to('/rotate')[0]!
    expect(String(overlap.headers['webhook-signature']).split(' ')).toHaveLength(2)
    expect(verifies(overlap, rotated.body.secret)).toBe(true)
    expect(verifies(overlap, endpoint.secret)).toBe(true)

    const again = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/secret/rotate`, {
      overlapSeconds: 0,
    })
    await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
    await h.until(() => r.to('/rotate').length >= 2, 'the delivery after the overlap')
    const after = r.to('/rotate')[1]!
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1)
    expect(verifies(after, again.body.secret)).toBe(true)
    expect(verifies(after, rotated.body.secret)).toBe(false)
    const view = await h.call('GET', `/webhooks/endpoints/${endpoint.id}`)
    expect(view.body.secretRotatedAt).toBeDefined()
    expect(
      (
        await h.call('POST', `/webhooks/endpoints/${endpoint.id}/secret/rotate`, {
          overlapSeconds: 700_000,
        })
      ).status,
    ).toBe(400)
  })

  it('replays a delivery with the same webhook-id and body, and a range of them', async () => {
    const h = harness()
    const { endpoint, deliveryId } = await testEventTo(h, `${r.url}/replay`)
    await h.until(() => r.to('/replay').length >= 1, 'the first delivery')
    await h.until(async () => (await deliveryOf(h, deliveryId)).status === 'delivered', 'recorded')
    const replayed = await h.call('POST', `/webhooks/deliveries/${deliveryId}/replay`)
    expect(replayed.status).toBe(202)
    await h.until(() => r.to('/replay').length >= 2, 'the replay')
    const [first, second] = r.to('/replay')
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id'])
    expect(second!.body).toBe(first!.body)
    expect(verifies(second!, endpoint.secret)).toBe(true)
    await h.until(async () => (await deliveryOf(h, deliveryId)).status === 'delivered', 'recorded')
    const delivery = await deliveryOf(h, deliveryId)
    expect(delivery.attempts).toBe(1) // a new series
    expect(delivery.attemptLog).toHaveLength(2)

    await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
    const range = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/replay`, {
      from: new Date(Date.now() - 3_600_000).toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    })
    expect(range.status).toBe(202)
    expect(range.body.replayed).toBe(2)
    // The first delivery a third time, and the new one (not sent before the replay) once.
    await h.until(() => r.to('/replay').length >= 4, 'the range replayed')
    await h.service.dispatchDue()
    expect(r.to('/replay')).toHaveLength(4)
    const empty = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/replay`, {
      from: '2020-01-01T00:00:00Z',
      to: '2020-01-02T00:00:00Z',
    })
    expect(empty.body.replayed).toBe(0)
    const backwards = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/replay`, {
      from: '2020-01-02T00:00:00Z',
      to: '2020-01-01T00:00:00Z',
    })
    expect(backwards.status).toBe(400)
    expect(backwards.body.code).toBe('WEBHOOKS.INVALID_RANGE')
    expect(
      (await h.call('POST', `/webhooks/endpoints/${endpoint.id}/replay`, { from: 'x', to: 'y' }))
        .status,
    ).toBe(400)
  })

  it('sends a test event like any other, and none to a disabled endpoint', async () => {
    const h = harness()
    const { endpoint, deliveryId } = await testEventTo(h, `${r.url}/test-event`)
    await h.until(() => r.to('/test-event').length >= 1, 'the test event')
    const got = r.to('/test-event')[0]!
    expect(JSON.parse(got.body)).toMatchObject({
      type: 'webhook.test',
      data: { endpointId: endpoint.id },
    })
    expect(verifies(got, endpoint.secret)).toBe(true)
    expect((await onlyDelivery(h, endpoint.id)).id).toBe(deliveryId)
    await h.call('PATCH', `/webhooks/endpoints/${endpoint.id}`, { enabled: false })
    const refused = await h.call('POST', `/webhooks/endpoints/${endpoint.id}/test`)
    expect(refused.status).toBe(409)
    expect(refused.body.code).toBe('WEBHOOKS.ENDPOINT_DISABLED')
  })
}
