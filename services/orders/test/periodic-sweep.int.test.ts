import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ordersHarness } from './harness.js'

/**
 * The periodic sweep as the service runs it (not `sweepDeadlines()` called by the test): an
 * order past its payment deadline is cancelled at a tick, and a return past its deadline expires
 * at one of the sweep's return looks (every 15th tick, service.ts). The interval is 20 ms here,
 * so fifteen ticks are 0.3 s; the polls allow far more on a busy machine.
 */
describe('the periodic deadline sweep', () => {
  const h = ordersHarness('pglite', { sweepIntervalMs: 20 })
  const { call, outbox, tokens } = h
  const support = tokens.bearer(randomUUID(), ['customer', 'support'])
  const poll = { timeout: 30_000, interval: 50 }

  it('expires a return not received by its deadline, with no call from the test', async () => {
    const { order, bearer } = await h.confirmed()
    expect((await call('POST', `/orders/${order.id}/ship`, h.admin)).status).toBe(200)
    const item = (await call('GET', `/orders/${order.id}`, bearer)).body.items[0]
    const asked = await call('POST', `/orders/${order.id}/returns`, bearer, {
      body: { lines: [{ productId: item.productId, quantity: 1 }], reason: 'too small' },
    })
    expect(asked.status, asked.text).toBe(201)
    const statusOf = async () =>
      (await call('GET', `/orders/${order.id}/returns`, support)).body.items.find(
        (r: { id: string }) => r.id === asked.body.id,
      )?.status
    // Many ticks pass with the deadline days away: the return stays requested.
    await new Promise((r) => setTimeout(r, 1_000))
    expect(await statusOf()).toBe('requested')

    h.setClockShift(31 * 86_400_000)
    try {
      await expect.poll(statusOf, poll).toBe('expired')
      expect(await outbox('return.expired', order.id)).toHaveLength(1)
    } finally {
      h.setClockShift(0)
    }
  })
})
