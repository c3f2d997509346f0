import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseKind } from '@emporium/platform'
import { createHarness, envelope, type Harness } from './payments-harness.js'

const slowMs = 1_500

/**
 * The processor as it runs in production: its own loop (kicked by the consumers), no test
 * driving `processPending`. Each kind in its own file would cost a second PGlite; this file
 * holds the one PGlite of its own.
 */
for (const kind of ['pglite', 'postgres'] as DatabaseKind[]) {
  describe(`app/processor-loop running in the service on ${kind}`, () => {
    let h: Harness

    beforeAll(async () => {
      h = await createHarness(kind, { processIntervalMs: 200, slowMs })
    })

    afterAll(async () => {
      await h?.close()
    })

    async function charge(cardNumber: string) {
      const userId = randomUUID()
      const orderId = `loop-${randomUUID()}`
      const reply = await fetch(`${h.running.url}/internal/payment-methods`, {
        method: 'POST',
        headers: await h.internal.headers(),
        body: JSON.stringify({
          userId,
          card: { cardNumber, expMonth: 12, expYear: 2099, cvc: '123' },
        }),
      })
      const { paymentMethodId } = (await reply.json()) as { paymentMethodId: string }
      await h.bus.publish(
        envelope('order.payment-requested', {
          orderId,
          userId,
          amount: { amount: 700, currency: 'USD' },
          paymentMethodId,
          at: new Date().toISOString(),
        }),
      )
      return orderId
    }

    async function settled(orderId: string, timeoutMs = 10_000): Promise<string> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const row = await h.testDb.database.db
          .selectFrom('payments')
          .select('state')
          .where('order_id', '=', orderId)
          .executeTakeFirst()
        if (row && !['pending', 'authorized', 'refund_pending'].includes(row.state)) {
          return row.state as string
        }
        if (Date.now() > deadline) throw new Error(`payment of ${orderId} not settled`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }

    it('works on a requested payment claimed in the consumer’s transaction (no claim of its own)', async () => {
      const orderId = await charge('4242424242424242')
      expect(await settled(orderId)).toBe('captured')
      const handedOver = h.logs.filter(
        (line) => line.includes(orderId) && line.includes('claimed in the consumer'),
      )
      expect(handedOver).toHaveLength(1)
    })

    it('charges on its own, a slow answer holding up no other payment', async () => {
      const slow = await charge('4000000000000259')
      const quick = await charge('4242424242424242')
      const declined = await charge('4000000000000002')
      const started = Date.now()
      expect(await settled(quick)).toBe('captured')
      expect(await settled(declined)).toBe('declined')
      expect(Date.now() - started).toBeLessThan(slowMs)
      expect(await settled(slow)).toBe('captured')
      expect(Date.now() - started).toBeLessThan(slowMs + 3_000)
    })
  })
}
