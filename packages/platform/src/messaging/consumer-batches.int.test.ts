import { randomBytes, randomUUID } from 'node:crypto'
import { JetStreamApiError, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import type { Kysely, Transaction } from 'kysely'
import { pino } from 'pino'
import { Registry } from 'prom-client'
import Type from 'typebox'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { defineEvent, type EventEnvelope } from '@emporium/contracts'
import { currentContext } from '../context.js'
import type { Database, DatabaseKind } from '../db/database.js'
import { migrate } from '../db/migrate.js'
import { createTestDatabase, testServers, type TestDatabase } from '../testing/test-databases.js'
import type { EventBus, RetryPolicy } from './bus.js'
import { waitFor } from './bus-conformance.js'
import { on, onEach } from './consumer.js'
import { createNatsBus } from './nats-bus.js'
import { natsNamesOf } from './nats-topology.js'
import { createRabbitMqBus } from './rabbitmq-bus.js'
import { deleteRabbitMqTopology } from '../testing/rabbitmq-cleanup.js'
import { createConsumerSubscription } from './subscription.js'

// Deliveries the broker pushed at once are applied in one transaction, through the inbox; a
// failing batch falls back to one by one. Real RabbitMQ (and NATS JetStream), real databases.
const run = randomBytes(4).toString('hex')
const exchange = `batches.${run}`
const url = testServers.rabbitmq
const silent = pino({ level: 'silent' })
const retry: RetryPolicy = { delaysMs: [50, 100] }
const ItemCounted = defineEvent(
  `b${run}.item-counted`,
  1,
  Type.Object({ n: Type.Integer(), poison: Type.Optional(Type.Boolean()) }),
)

function envelope(n: number, extra: { poison?: boolean; id?: string } = {}): EventEnvelope {
  return {
    id: extra.id ?? randomUUID(),
    type: ItemCounted.type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'batches-test',
    correlationId: `c-${n}`,
    causationId: null,
    data: { n, ...(extra.poison ? { poison: true } : {}) },
  }
}

type Broker = 'RabbitMQ' | 'NATS JetStream'

/** Deletes what the bus declared for these consumers on the broker. */
async function deleteTopology(broker: Broker, consumers: readonly string[]): Promise<void> {
  if (broker === 'NATS JetStream') {
    const names = natsNamesOf(exchange)
    const nc = await connect({ servers: new URL(testServers.nats).host })
    const jsm = await jetstreamManager(nc)
    for (const stream of [names.stream, ...consumers.map(names.dlqStream)]) {
      await jsm.streams.delete(stream).catch((error: unknown) => {
        if (!(error instanceof JetStreamApiError)) throw error
      })
    }
    await nc.close()
    return
  }
  await deleteRabbitMqTopology({ url, exchange, consumers, delaysMs: retry.delaysMs })
}

// Every database on RabbitMQ; NATS JetStream on PostgreSQL (the bus's part is the same).
describe.each<{ broker: Broker; kind: DatabaseKind }>([
  { broker: 'RabbitMQ', kind: 'postgres' },
  { broker: 'RabbitMQ', kind: 'mysql' },
  { broker: 'RabbitMQ', kind: 'pglite' },
  { broker: 'NATS JetStream', kind: 'postgres' },
])('consumer batches over $broker on $kind', ({ broker, kind }) => {
  let test: TestDatabase
  let database: Database
  let db: Kysely<any>
  const consumers: string[] = []
  const buses: EventBus[] = []
  let label = 0

  beforeAll(async () => {
    test = await createTestDatabase(kind)
    database = test.database
    db = database.db
    await migrate(database, {
      migrations: {
        '001-create-effects': {
          // No key on purpose: a doubled effect must show as a second row.
          up: (d: Kysely<any>) =>
            d.schema
              .createTable('effects')
              .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
              .addColumn('n', 'integer', (c) => c.notNull())
              .execute(),
        },
      },
    })
  })
  beforeEach(async () => {
    for (const table of ['inbox', 'effects']) await db.deleteFrom(table).execute()
  })
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()))
  })
  afterAll(async () => {
    await deleteTopology(broker, consumers)
    await test?.drop()
  })

  interface Setup {
    /** Runs inside each handler, before its effect (throw to fail it). */
    before?(data: { n: number; poison?: boolean }): Promise<void>
    /** A handler with `handleMany` (onEach): its runs of events, as one multi-row insert. */
    many?: boolean
  }

  /**
   * A consumer through createConsumerSubscription, whose effect is one row per event. It
   * records each handler call with its transaction, and counts the transactions it opens.
   */
  async function start(setup: Setup = {}) {
    const consumer = `batches-${run}-${broker === 'RabbitMQ' ? '' : 'nats-'}${kind}-${++label}`
    consumers.push(consumer)
    const registry = new Registry()
    const bus =
      broker === 'RabbitMQ'
        ? createRabbitMqBus({ url, exchange, retry, log: silent, registry })
        : createNatsBus({ url: testServers.nats, exchange, retry, log: silent, registry })
    buses.push(bus)
    const calls: Array<{ n: number; trx: Transaction<any>; correlationId: string }> = []
    const runs: number[][] = []
    let transactions = 0
    const counted: Database = {
      ...database,
      transaction: (fn) => {
        transactions += 1
        return database.transaction(fn)
      },
    }
    await bus.subscribe(
      createConsumerSubscription({
        consumer,
        database: counted,
        log: silent,
        handlers: [
          setup.many
            ? onEach(ItemCounted, async (events, { trx }) => {
                runs.push(events.map((event) => event.data.n))
                for (const { data } of events) {
                  calls.push({ n: data.n, trx, correlationId: '' })
                  await setup.before?.(data)
                }
                await trx
                  .insertInto('effects')
                  .values(events.map(({ data, envelope: e }) => ({ event_id: e.id, n: data.n })))
                  .execute()
              })
            : on(ItemCounted, async (data, { trx, envelope: event }) => {
                // The work context each handler runs in: its own event's, also within a batch.
                calls.push({
                  n: data.n,
                  trx,
                  correlationId: currentContext()?.correlationId ?? '',
                })
                expect(currentContext()?.causationId).toBe(event.id)
                await setup.before?.(data)
                await trx.insertInto('effects').values({ event_id: event.id, n: data.n }).execute()
              }),
        ],
      }),
    )
    const effects = async () =>
      (await db.selectFrom('effects').select(['event_id', 'n']).execute()) as Array<{
        event_id: string
        n: number
      }>
    const metric = async (name: string) =>
      (await registry.getSingleMetric(name)?.get())?.values ?? []
    return {
      bus,
      consumer,
      calls,
      runs,
      effects,
      metric,
      transactions: () => transactions,
    }
  }

  /** Publishes while the first handler call is held, so the rest arrive as one prefetch. */
  async function publishHeld(bus: EventBus, events: EventEnvelope[], held: Gate) {
    await bus.publish(events[0]!)
    await waitFor('the first delivery to be held', () => held.waiting)
    for (const event of events.slice(1)) await bus.publish(event)
    // Long enough for the broker to push them all into the prefetch.
    await new Promise((resolve) => setTimeout(resolve, 300))
    held.open()
  }

  it('applies the deliveries the broker pushed at once in one transaction, in delivery order', async () => {
    const held = gate()
    const c = await start({ before: ({ n }) => (n === 0 ? held.wait() : Promise.resolve()) })
    const events = Array.from({ length: 31 }, (_, n) => envelope(n))
    await publishHeld(c.bus, events, held)
    await waitFor('31 effects', async () => (await c.effects()).length === 31, 10_000)
    // Every handler call in its event's correlation, in the order published.
    expect(c.calls.map((call) => call.n)).toEqual(events.map((_, n) => n))
    expect(c.calls.map((call) => call.correlationId)).toEqual(events.map((e) => e.correlationId))
    // The first alone (held), the 30 waiting behind it together: one transaction.
    const rest = new Set(c.calls.slice(1).map((call) => call.trx))
    expect(rest.size).toBe(1)
    expect(c.transactions()).toBe(2)
    const sizes = (await c.metric('bus_batch_size')) as Array<{
      metricName?: string
      value: number
    }>
    expect(sizes.find((v) => v.metricName === 'bus_batch_size_count')?.value).toBe(2)
    expect(sizes.find((v) => v.metricName === 'bus_batch_size_sum')?.value).toBe(31)
    expect((await c.effects()).map((e) => e.n).sort((a, b) => a - b)).toEqual(
      events.map((_, n) => n),
    )
  })

  it('keeps delivery order over many batches, also when handlers take uneven time', async () => {
    const c = await start({
      before: () => new Promise((resolve) => setTimeout(resolve, Math.random() * 3)),
    })
    const events = Array.from({ length: 200 }, (_, n) => envelope(n))
    for (const event of events) await c.bus.publish(event)
    await waitFor('200 effects', async () => (await c.effects()).length === 200, 30_000)
    expect(c.calls.map((call) => call.n)).toEqual(events.map((_, n) => n))
    expect(c.transactions()).toBeLessThanOrEqual(200)
  })

  it('a poison message in a batch: the others are applied once, it alone is retried, then dead-lettered', async () => {
    const held = gate()
    const c = await start({
      before: async ({ n, poison }) => {
        if (n === 0) await held.wait()
        if (poison) throw new Error(`poison ${n}`)
      },
    })
    const events = Array.from({ length: 9 }, (_, n) => envelope(n, { poison: n === 5 }))
    await publishHeld(c.bus, events, held)
    await waitFor(
      'the dead letter',
      async () => (await c.bus.deadLetters.list(c.consumer)).length === 1,
      10_000,
    )
    const letters = await c.bus.deadLetters.list(c.consumer)
    expect(letters.map((l) => l.id)).toEqual([events[5]!.id])
    expect(letters[0]).toMatchObject({ attempts: retry.delaysMs.length + 1 })
    expect(letters[0]!.error).toContain('poison 5')
    const effects = await c.effects()
    expect(effects.map((e) => e.n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7, 8])
    // Each healthy event once, whatever the rolled-back batch had done.
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(8)
    const fallbacks = await c.metric('bus_batch_fallbacks_total')
    expect(fallbacks[0]?.value).toBe(1)
    // The batch in order, then one by one in order; the poison one then alone, on each retry.
    const poisonCalls = c.calls.filter((call) => call.n === 5).length
    expect(poisonCalls).toBe(1 + 1 + retry.delaysMs.length)
  })

  it('hands a handler with handleMany each run of new events at once, in order, once each', async () => {
    const held = gate()
    const c = await start({
      many: true,
      before: ({ n }) => (n === 0 ? held.wait() : Promise.resolve()),
    })
    const events = Array.from({ length: 12 }, (_, n) => envelope(n))
    // Two copies of 3 in the batch, and 7 seen before: neither is handed over again.
    await publishHeld(c.bus, [...events, events[3]!], held)
    await waitFor('12 effects', async () => (await c.effects()).length === 12, 10_000)
    expect(c.runs).toEqual([[0], events.slice(1).map((_, i) => i + 1)])
    expect(c.transactions()).toBe(2)
    await c.bus.publish(events[7]!)
    await c.bus.publish(envelope(12))
    await waitFor('13 effects', async () => (await c.effects()).length === 13, 10_000)
    expect(c.runs.at(-1)).toEqual([12])
    const effects = await c.effects()
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(13)
  })

  it('a poison message in a run of handleMany: the batch falls back to one by one, the others applied once', async () => {
    const held = gate()
    const c = await start({
      many: true,
      before: async ({ n, poison }) => {
        if (n === 0) await held.wait()
        if (poison) throw new Error(`poison ${n}`)
      },
    })
    const events = Array.from({ length: 7 }, (_, n) => envelope(n, { poison: n === 3 }))
    await publishHeld(c.bus, events, held)
    await waitFor(
      'the dead letter',
      async () => (await c.bus.deadLetters.list(c.consumer)).length === 1,
      10_000,
    )
    expect((await c.bus.deadLetters.list(c.consumer)).map((l) => l.id)).toEqual([events[3]!.id])
    const effects = await c.effects()
    expect(effects.map((e) => e.n).sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6])
    expect(new Set(effects.map((e) => e.event_id)).size).toBe(6)
    // The failed run was [1..6]; after it, each event alone (a run of one).
    expect(c.runs).toContainEqual([1, 2, 3, 4, 5, 6])
    expect(c.runs.filter((run) => run.length === 1 && run[0] === 5).length).toBeGreaterThan(0)
  })

  it('absorbs duplicates within a batch and across batches through the inbox', async () => {
    const held = gate()
    const c = await start({ before: ({ n }) => (n === 0 ? held.wait() : Promise.resolve()) })
    const events = Array.from({ length: 6 }, (_, n) => envelope(n))
    const twice = [...events, events[2]!, events[4]!, events[2]!]
    await publishHeld(c.bus, twice, held)
    await waitFor('6 effects', async () => (await c.effects()).length === 6, 10_000)
    // Again later, in a batch of their own.
    for (const event of [events[1]!, events[2]!, events[3]!]) await c.bus.publish(event)
    const handled = async () =>
      (await c.metric('bus_messages_handled_total')).reduce((sum, v) => sum + v.value, 0)
    await waitFor('12 deliveries handled', async () => (await handled()) === 12, 10_000)
    const effects = await c.effects()
    expect(effects.map((e) => e.n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5])
    expect(await c.bus.deadLetters.list(c.consumer)).toEqual([])
  })
})

interface Gate {
  wait(): Promise<void>
  open(): void
  readonly waiting: boolean
}

function gate(): Gate {
  let release!: () => void
  const opened = new Promise<void>((resolve) => (release = resolve))
  let waiting = false
  return {
    wait() {
      waiting = true
      return opened
    },
    open: () => release(),
    get waiting() {
      return waiting
    },
  }
}
