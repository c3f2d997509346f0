import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import type { EventBus } from '@emporium/platform'

/** What the saga tests take from the catalog suite that runs them (one service, one database). */
export interface SagaHarness {
  bus: EventBus
  createProduct(overrides?: Record<string, unknown>): Promise<{ id: string }>
  stockOf(productId: string): Promise<{ onHand: number; reserved: number }>
  outboxOf(type: string, match?: (data: any) => boolean): Promise<any[]>
  reservationOf(
    orderId: string,
  ): Promise<{ status: string; lines: Array<{ productId: string; quantity: number }> } | undefined>
  inboxCount(eventId: string): Promise<number>
}

type Lines = Array<{ productId: string; quantity: number }>

function envelope(type: string, data: unknown): EventEnvelope {
  return {
    id: randomUUID(),
    type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'orders',
    correlationId: randomUUID(),
    causationId: null,
    data,
  }
}

function order(orderId: string, lines: Lines) {
  const priced = lines.map((l) => ({
    productId: l.productId,
    name: 'A thing',
    unitPrice: { amount: 100, currency: 'USD' },
    quantity: l.quantity,
  }))
  return {
    orderId,
    userId: 'user-1',
    lines: priced,
    total: { amount: 100 * lines.reduce((n, l) => n + l.quantity, 0), currency: 'USD' },
    at: new Date().toISOString(),
  }
}

const placed = (orderId: string, lines: Lines) => envelope('order.placed', order(orderId, lines))
const confirmed = (orderId: string, lines: Lines) =>
  envelope('order.confirmed', order(orderId, lines))
const cancelled = (
  orderId: string,
  lines: Lines,
  previousStatus: 'pending' | 'awaiting_payment' | 'confirmed' = 'pending',
) =>
  envelope('order.cancelled', {
    ...order(orderId, lines),
    previousStatus,
    reason: previousStatus === 'confirmed' ? 'customer_cancelled' : 'payment_timeout',
  })

/**
 * The checkout saga's stock steps, driven through the in-process bus exactly as the runtime
 * delivers them: each handler in the consumer's inbox transaction.
 */
export function sagaConsumerTests(harness: () => SagaHarness): void {
  describe('checkout saga consumers', () => {
    const h = () => harness()
    const deliver = (event: EventEnvelope) => h().bus.publish(event)
    const eventsOf = async (type: string, orderId: string) =>
      (await h().outboxOf(type, (d) => d.orderId === orderId)).map((e) => e.data)

    it('order.placed holds the lines and emits stock.reserved', async () => {
      const product = await h().createProduct({ onHand: 5 })
      const orderId = randomUUID()
      const lines = [{ productId: product.id, quantity: 2 }]
      await deliver(placed(orderId, lines))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 5, reserved: 2 })
      expect(await h().reservationOf(orderId)).toEqual({ status: 'held', lines })
      const [reserved] = await eventsOf('stock.reserved', orderId)
      expect(reserved).toMatchObject({ orderId, lines })
      expect(Date.parse(reserved.expiresAt)).toBeGreaterThan(Date.now())
    })

    it('order.placed for too much holds nothing and emits stock.rejected', async () => {
      const plenty = await h().createProduct({ onHand: 5 })
      const scarce = await h().createProduct({ onHand: 1 })
      const orderId = randomUUID()
      await deliver(
        placed(orderId, [
          { productId: plenty.id, quantity: 2 },
          { productId: scarce.id, quantity: 3 },
        ]),
      )
      expect(await h().stockOf(plenty.id)).toEqual({ onHand: 5, reserved: 0 })
      expect(await h().stockOf(scarce.id)).toEqual({ onHand: 1, reserved: 0 })
      expect((await h().reservationOf(orderId))?.status).toBe('rejected')
      expect(await eventsOf('stock.rejected', orderId)).toEqual([
        { orderId, shortLines: [{ productId: scarce.id, requested: 3, available: 1 }] },
      ])
      expect(await eventsOf('stock.reserved', orderId)).toEqual([])
    })

    it('has one effect per order: a redelivery and a second placement change nothing', async () => {
      const product = await h().createProduct({ onHand: 5 })
      const orderId = randomUUID()
      const event = placed(orderId, [{ productId: product.id, quantity: 2 }])
      await deliver(event)
      await deliver(event)
      await deliver(placed(orderId, [{ productId: product.id, quantity: 2 }]))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 5, reserved: 2 })
      expect(await eventsOf('stock.reserved', orderId)).toHaveLength(1)
      expect(await h().inboxCount(event.id)).toBe(1)

      const confirm = confirmed(orderId, [{ productId: product.id, quantity: 2 }])
      await deliver(confirm)
      await deliver(confirm)
      expect(await h().stockOf(product.id)).toEqual({ onHand: 3, reserved: 0 })
      expect(await eventsOf('stock.committed', orderId)).toHaveLength(1)
    })

    it('a cancellation before the placement leaves a tombstone: the placement holds nothing', async () => {
      const product = await h().createProduct({ onHand: 5 })
      const orderId = randomUUID()
      const lines = [{ productId: product.id, quantity: 2 }]
      await deliver(cancelled(orderId, lines))
      expect(await h().reservationOf(orderId)).toEqual({ status: 'released', lines: [] })
      await deliver(placed(orderId, lines))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 5, reserved: 0 })
      expect(await h().reservationOf(orderId)).toEqual({ status: 'released', lines: [] })
      for (const type of ['stock.reserved', 'stock.rejected', 'stock.released']) {
        expect(await eventsOf(type, orderId), type).toEqual([])
      }
      // A second cancellation of it is a no-op.
      await deliver(cancelled(orderId, lines))
      expect(await eventsOf('stock.released', orderId)).toEqual([])
    })

    it('a cancellation after the hold releases it (once)', async () => {
      const product = await h().createProduct({ onHand: 4 })
      const orderId = randomUUID()
      const lines = [{ productId: product.id, quantity: 3 }]
      await deliver(placed(orderId, lines))
      await deliver(cancelled(orderId, lines, 'awaiting_payment'))
      await deliver(cancelled(orderId, lines, 'awaiting_payment'))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 4, reserved: 0 })
      expect((await h().reservationOf(orderId))?.status).toBe('released')
      expect(await eventsOf('stock.released', orderId)).toEqual([
        { orderId, reason: 'cancelled', lines },
      ])
    })

    it('a confirmation commits the hold: onHand goes down', async () => {
      const a = await h().createProduct({ onHand: 6 })
      const b = await h().createProduct({ onHand: 2 })
      const orderId = randomUUID()
      const lines = [
        { productId: a.id, quantity: 1 },
        { productId: b.id, quantity: 2 },
        { productId: a.id, quantity: 2 },
      ]
      await deliver(placed(orderId, lines))
      await deliver(confirmed(orderId, lines))
      expect(await h().stockOf(a.id)).toEqual({ onHand: 3, reserved: 0 })
      expect(await h().stockOf(b.id)).toEqual({ onHand: 0, reserved: 0 })
      expect((await h().reservationOf(orderId))?.status).toBe('committed')
      const [committed] = await eventsOf('stock.committed', orderId)
      expect(committed.lines).toHaveLength(2)
      expect(committed.lines).toEqual(
        expect.arrayContaining([
          { productId: a.id, quantity: 3 },
          { productId: b.id, quantity: 2 },
        ]),
      )
    })

    it('a cancellation after the commit restocks: onHand back, stock.restocked (once)', async () => {
      const product = await h().createProduct({ onHand: 5 })
      const orderId = randomUUID()
      const lines = [{ productId: product.id, quantity: 2 }]
      await deliver(placed(orderId, lines))
      await deliver(confirmed(orderId, lines))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 3, reserved: 0 })
      await deliver(cancelled(orderId, lines, 'confirmed'))
      await deliver(cancelled(orderId, lines, 'confirmed'))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 5, reserved: 0 })
      expect((await h().reservationOf(orderId))?.status).toBe('restocked')
      expect(await eventsOf('stock.restocked', orderId)).toEqual([{ orderId, lines }])
      expect(await eventsOf('stock.released', orderId)).toEqual([])
      // A late confirmation of it changes nothing either.
      await deliver(confirmed(orderId, lines))
      expect(await h().stockOf(product.id)).toEqual({ onHand: 5, reserved: 0 })
      expect(await eventsOf('stock.committed', orderId)).toHaveLength(1)
    })

    it('a confirmation after a release, or with no reservation, is acknowledged: stock unchanged', async () => {
      const product = await h().createProduct({ onHand: 4 })
      const orderId = randomUUID()
      const lines = [{ productId: product.id, quantity: 1 }]
      await deliver(placed(orderId, lines))
      await deliver(cancelled(orderId, lines))
      const late = confirmed(orderId, lines)
      await deliver(late)
      const unknown = confirmed(randomUUID(), lines)
      await deliver(unknown)
      expect(await h().stockOf(product.id)).toEqual({ onHand: 4, reserved: 0 })
      expect(await eventsOf('stock.committed', orderId)).toEqual([])
      // Handled (in the inbox), not retried and not dead-lettered.
      expect(await h().inboxCount(late.id)).toBe(1)
      expect(await h().inboxCount(unknown.id)).toBe(1)
      const dead = await h().bus.deadLetters.list('catalog')
      expect(dead.map((d) => d.id)).not.toContain(late.id)
      expect(dead.map((d) => d.id)).not.toContain(unknown.id)
    })

    it('dead-letters a placement with no line, writing nothing', async () => {
      const orderId = randomUUID()
      const event = placed(orderId, [])
      await deliver(event)
      const dead = await h().bus.deadLetters.list('catalog')
      expect(dead.find((d) => d.id === event.id)?.error).toMatch(/PermanentError/)
      expect(await h().reservationOf(orderId)).toBeUndefined()
      expect(await h().inboxCount(event.id)).toBe(0)
    })

    it('ends with nothing held when placements and cancellations race', async () => {
      const product = await h().createProduct({ onHand: 50 })
      const lines = [{ productId: product.id, quantity: 1 }]
      const orders = Array.from({ length: 12 }, () => randomUUID())
      await Promise.all(
        orders.flatMap((orderId, i) =>
          i % 2
            ? [deliver(placed(orderId, lines)), deliver(cancelled(orderId, lines))]
            : [deliver(cancelled(orderId, lines)), deliver(placed(orderId, lines))],
        ),
      )
      expect(await h().stockOf(product.id)).toEqual({ onHand: 50, reserved: 0 })
      for (const orderId of orders) {
        // Held then released, or a tombstone that the placement found: never a hold left.
        const reserved = await eventsOf('stock.reserved', orderId)
        const released = await eventsOf('stock.released', orderId)
        expect(released).toHaveLength(reserved.length)
        expect((await h().reservationOf(orderId))?.status).toBe('released')
      }
    })

    it('never holds past the stock under concurrent placements', async () => {
      const product = await h().createProduct({ onHand: 7 })
      const orders = Array.from({ length: 30 }, () => randomUUID())
      await Promise.all(
        orders.map((orderId) => deliver(placed(orderId, [{ productId: product.id, quantity: 1 }]))),
      )
      expect(await h().stockOf(product.id)).toEqual({ onHand: 7, reserved: 7 })
      const mine = new Set(orders)
      const reserved = await h().outboxOf('stock.reserved', (d) => mine.has(d.orderId))
      const rejected = await h().outboxOf('stock.rejected', (d) => mine.has(d.orderId))
      expect([reserved.length, rejected.length]).toEqual([7, 23])
    })
  })
}
