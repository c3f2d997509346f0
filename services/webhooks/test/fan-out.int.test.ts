import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { webhooks } from '@emporium/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSqlFanOut } from '../src/infra/sql-deliveries.js'
import type { WebhooksTables } from '../src/infra/tables.js'
import { register } from './endpoint-tests.js'
import { createHarness, type Harness } from './webhooks-harness.js'

/**
 * The consumers' fan-out over a batch: each event stored for exactly the enabled endpoints
 * subscribed to its type, the endpoints read once per transaction (a batch), not once per event.
 * On both databases: PostgreSQL's driver parses `event_types`, PGlite's dialect hands back text.
 */
describe.each(['postgres', 'pglite'] as const)('the fan-out of a batch (%s)', (kind) => {
  let h: Harness

  beforeAll(async () => {
    h = await createHarness(kind)
  })

  afterAll(async () => {
    await h?.close()
  })

  /** `trx` with a count of the statements that read the endpoints. */
  function counting(trx: Kysely<WebhooksTables>) {
    const reads = { endpoints: 0 }
    const proxy = new Proxy(trx, {
      get(target, property, receiver) {
        if (property === 'selectFrom') {
          return (table: string) => {
            if (table === 'webhook_endpoints') reads.endpoints++
            return target.selectFrom(table as 'webhook_endpoints')
          }
        }
        const value = Reflect.get(target, property, receiver)
        return typeof value === 'function' ? value.bind(target) : value
      },
    })
    return { trx: proxy, reads }
  }

  const eventOf = (type: webhooks.WebhookEventType) => ({
    eventId: randomUUID(),
    type,
    body: JSON.stringify({ type }),
    at: new Date(),
  })

  it('stores each event of a batch for its subscribers only, reading the endpoints once', async () => {
    const placedOnly = await register(h, 'https://placed.example/', ['order.placed'])
    const both = await register(h, 'https://both.example/', ['order.placed', 'order.confirmed'])
    const off = await register(h, 'https://off.example/', ['order.placed', 'order.confirmed'])
    expect(
      (await h.call('PATCH', `/webhooks/endpoints/${off.id}`, { enabled: false })).status,
    ).toBe(200)
    const placed = eventOf('order.placed')
    const confirmed = eventOf('order.confirmed')
    const shipped = eventOf('order.shipped')
    const placedAgain = eventOf('order.placed')
    const { counts, reads } = await h.db.transaction().execute(async (raw) => {
      const { trx, reads } = counting(raw as unknown as Kysely<WebhooksTables>)
      // Each event through an adapter of its own, as the consumer makes them, on one transaction.
      const counts = []
      for (const event of [placed, confirmed, shipped, placedAgain])
        counts.push(await createSqlFanOut(trx).store(event))
      // A redelivered event in the same batch stores nothing twice.
      counts.push(await createSqlFanOut(trx).store(placed))
      return { counts, reads }
    })
    expect(counts).toEqual([2, 1, 0, 2, 0])
    expect(reads.endpoints).toBe(1)
    const stored = await h.db
      .selectFrom('webhook_deliveries')
      .select(['endpoint_id', 'event_id'])
      .where(
        'event_id',
        'in',
        [placed, confirmed, shipped, placedAgain].map((e) => e.eventId),
      )
      .execute()
    const pairs = stored.map((row) => `${row.endpoint_id} ${row.event_id}`).sort()
    expect(pairs).toEqual(
      [
        `${placedOnly.id} ${placed.eventId}`,
        `${both.id} ${placed.eventId}`,
        `${both.id} ${confirmed.eventId}`,
        `${placedOnly.id} ${placedAgain.eventId}`,
        `${both.id} ${placedAgain.eventId}`,
      ].sort(),
    )
  })

  it('reads the endpoints again in the next transaction (a change between batches counts)', async () => {
    const late = await register(h, 'https://late.example/', ['order.cancelled'])
    const first = eventOf('order.cancelled')
    await h.db.transaction().execute(async (trx) => {
      expect(await createSqlFanOut(trx as unknown as Kysely<WebhooksTables>).store(first)).toBe(1)
    })
    expect(
      (await h.call('PATCH', `/webhooks/endpoints/${late.id}`, { enabled: false })).status,
    ).toBe(200)
    await h.db.transaction().execute(async (trx) => {
      const fanOut = createSqlFanOut(trx as unknown as Kysely<WebhooksTables>)
      expect(await fanOut.store(eventOf('order.cancelled'))).toBe(0)
    })
  })
})
