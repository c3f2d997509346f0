import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import type { EventEnvelope } from '@emporium/contracts'
import type { VariantsHarness } from './product-variants-suite.js'

type Line = { productId: string; variantId?: string; quantity: number }

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

function orderEvent(type: string, orderId: string, lines: Line[], extra = {}) {
  return envelope(type, {
    orderId,
    userId: 'user-1',
    lines: lines.map((l) => ({
      ...l,
      name: 'Tee',
      unitPrice: { amount: 2000, currency: 'USD' },
    })),
    total: { amount: 2000 * lines.reduce((n, l) => n + l.quantity, 0), currency: 'USD' },
    at: new Date().toISOString(),
    ...extra,
  })
}

/** Resolves when `resolve` is called: a hand-made gate. */
function gate() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

/**
 * Stock held, committed, released and raced for per variant: through the saga's events as the
 * runtime delivers them, and through the reservation use case in real parallel transactions.
 */
export function variantReservationTests(
  kind: VariantsHarness['kind'],
  harness: () => VariantsHarness,
): void {
  describe('stock per variant', () => {
    const h = () => harness()
    const sizes = (onHand: number[]) =>
      h().createTee(
        onHand.map((units, i) => ({
          sku: `R-${randomUUID().slice(0, 12)}`,
          options: { Size: ['S', 'M', 'L', 'XL'][i]!, Colour: 'Black' },
          onHand: units,
        })),
      )

    it("order.placed holds each line's variant; a line naming none holds the product's first", async () => {
      const tee = await sizes([5, 3])
      const [s, m] = tee.variants.map((v: any) => v.id as string)
      const orderId = randomUUID()
      await h().bus.publish(
        orderEvent('order.placed', orderId, [
          { productId: tee.id, variantId: m, quantity: 2 },
          { productId: tee.id, quantity: 1 },
        ]),
      )
      expect(await h().stockOf(s)).toEqual({ onHand: 5, reserved: 1 })
      expect(await h().stockOf(m)).toEqual({ onHand: 3, reserved: 2 })
      const [reserved] = await h().outboxOf('stock.reserved', (d) => d.orderId === orderId)
      // The first variant's line names no variant, as lines did before variants; lines are in
      // variant id order (the lock order).
      const lines = [
        { productId: tee.id, quantity: 1 },
        { productId: tee.id, variantId: m, quantity: 2 },
      ]
      expect(reserved.data.lines).toEqual(tee.id < m ? lines : lines.reverse())
      const product = (await h().call('GET', `/products/${tee.id}`)).body
      expect(product.variants.map((v: any) => v.available)).toEqual([4, 1])
      expect(product.available).toBe(5)

      await h().bus.publish(
        orderEvent('order.confirmed', orderId, [{ productId: tee.id, variantId: m, quantity: 2 }]),
      )
      expect(await h().stockOf(m)).toEqual({ onHand: 1, reserved: 0 })
      expect(await h().stockOf(s)).toEqual({ onHand: 4, reserved: 0 })
      await h().bus.publish(
        orderEvent('order.cancelled', orderId, [], {
          previousStatus: 'confirmed',
          reason: 'customer_cancelled',
        }),
      )
      expect(await h().stockOf(m)).toEqual({ onHand: 3, reserved: 0 })

      // More of a variant than it has: rejected, naming the variant; nothing held.
      const short = randomUUID()
      await h().bus.publish(
        orderEvent('order.placed', short, [
          { productId: tee.id, variantId: m, quantity: 4 },
          { productId: tee.id, quantity: 1 },
        ]),
      )
      const [rejected] = await h().outboxOf('stock.rejected', (d) => d.orderId === short)
      expect(rejected.data.shortLines).toEqual([
        { productId: tee.id, variantId: m, requested: 4, available: 3 },
      ])
      expect(await h().stockOf(s)).toEqual({ onHand: 5, reserved: 0 })
      // A variant of another product under this product's id holds nothing.
      const other = await sizes([9])
      const stray = await h().service.reserveStock(randomUUID(), [
        { productId: tee.id, variantId: other.variants[0].id, quantity: 1 },
      ])
      expect(stray.status).toBe('rejected')
      expect(await h().stockOf(other.variants[0].id)).toEqual({ onHand: 9, reserved: 0 })
    })

    it('two shoppers racing for the last unit of a variant: exactly one gets it, many times over', async () => {
      for (let round = 0; round < 5; round++) {
        const tee = await sizes([40, 1])
        const [plenty, last] = tee.variants.map((v: any) => v.id as string)
        const reserve = (variantId: string) =>
          h().service.reserveStock(randomUUID(), [{ productId: tee.id, variantId, quantity: 1 }])
        // Both racers and 20 buyers of another size, all at once (separate transactions on
        // PostgreSQL's pool; one after another on PGlite's single connection).
        const [a, b, ...others] = await Promise.all([
          reserve(last),
          reserve(last),
          ...Array.from({ length: 20 }, () => reserve(plenty)),
        ])
        expect([a!.status, b!.status].sort(), `round ${round}`).toEqual(['held', 'rejected'])
        const loser = a!.status === 'rejected' ? a! : b!
        expect(loser.shortLines).toEqual([
          { productId: tee.id, variantId: last, requested: 1, available: 0 },
        ])
        expect(others.every((r) => r.status === 'held')).toBe(true)
        expect(await h().stockOf(last)).toEqual({ onHand: 1, reserved: 1 })
        expect(await h().stockOf(plenty)).toEqual({ onHand: 40, reserved: 20 })
      }
    })

    // PGlite is one connection: nothing runs beside an open transaction there.
    it.runIf(kind === 'postgres')(
      'while a transaction holds the last unit of one variant, another variant of the product sells',
      async () => {
        const tee = await sizes([1, 10])
        const [last, plenty] = tee.variants.map((v: any) => v.id as string)
        const db = h().testDb.database.db
        const locked = gate()
        const release = gate()
        // A checkout of the last unit, in flight: its transaction holds that variant's stock row.
        const inFlight = db.transaction().execute(async (trx) => {
          await sql`select 1 from stock where variant_id = ${last} for update`.execute(trx)
          locked.open()
          await release.opened
        })
        await locked.opened
        let racersDone = false
        const racers = Promise.all([
          h().service.reserveStock(randomUUID(), [
            { productId: tee.id, variantId: last, quantity: 1 },
          ]),
          h().service.reserveStock(randomUUID(), [
            { productId: tee.id, variantId: last, quantity: 1 },
          ]),
        ]).finally(() => (racersDone = true))
        // The other size sells, in transactions of their own, while that row stays locked.
        const sold = await Promise.all(
          Array.from({ length: 5 }, () =>
            h().service.reserveStock(randomUUID(), [
              { productId: tee.id, variantId: plenty, quantity: 1 },
            ]),
          ),
        )
        expect(sold.map((r) => r.status)).toEqual(Array(5).fill('held'))
        expect(await h().stockOf(plenty)).toEqual({ onHand: 10, reserved: 5 })
        // The racers for the locked row cannot have finished: the lock is still held.
        expect(racersDone).toBe(false)
        release.open()
        await inFlight
        const results = await racers
        expect(results.map((r) => r.status).sort()).toEqual(['held', 'rejected'])
        expect(await h().stockOf(last)).toEqual({ onHand: 1, reserved: 1 })
      },
      30_000,
    )
  })
}
