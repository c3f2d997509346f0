// Benchmark 4, messaging: the platform's own path (outbox in PostgreSQL → relay → RabbitMQ with
// pipelined publisher confirms → consumer applying prefetched batches through its inbox, with one
// insert per event as its effect) against bare amqplib publishing and consuming the same messages
// (confirm channel with pipelined confirms, persistent, acks, the same prefetch), side by side in
// one run, in a scratch vhost and a scratch database, all in this one process. The same two rows
// again on NATS JetStream (issue 21): bare @nats-io/jetstream (pipelined publish acknowledgements,
// a durable pull consumer acking each) and the platform's path through its NATS adapter, in
// streams of the run's own names on the machine's NATS (removed afterwards).
import { randomUUID } from 'node:crypto'
import { AckPolicy, jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import amqp from 'amqplib'
import Type from 'typebox'
import { defineEvent, type EventEnvelope } from '@emporium/contracts'
import {
  createConsumerSubscription,
  createLogger,
  createMetricsRegistry,
  createNatsBus,
  createOutbox,
  createOutboxRelay,
  createRabbitMqBus,
  migrate,
  onEach,
  openDatabase,
  type Database,
  type EventBus,
} from '@emporium/platform'
import { sql, type Kysely } from 'kysely'
import { onCleanup } from './lib/cleanup.js'
import { scratchPostgres, scratchVhost } from './lib/platform.js'
import { sleep } from './lib/processes.js'
import type { Section } from './lib/report.js'

export interface MessagingBenchOptions {
  messages: number
  /** NATS with JetStream for the NATS rows; default the machine's (npm run infra:up). */
  natsUrl?: string
}

const BenchHappened = defineEvent(
  'bench.happened',
  1,
  Type.Object({ n: Type.Integer(), note: Type.String() }),
)
// About the size of a real event's data (an order line or a price change).
const note = 'x'.repeat(200)
// The platform's default, given to both contenders.
const prefetch = 100

interface Row {
  contender: string
  messages: number
  /** Time to publish (and have confirmed) them all, s. */
  publishSeconds: number
  /** Time until the consumer handled the last, s. */
  totalSeconds: number
}

export async function messagingBenchmark(options: MessagingBenchOptions): Promise<Section> {
  const n = options.messages
  const rabbitUrl = await scratchVhost()
  const rows: Row[] = []
  const envelope = (i: number): EventEnvelope => ({
    id: `bench-${i}-${Math.random().toString(36).slice(2, 10)}`,
    type: BenchHappened.type,
    version: 1,
    occurredAt: new Date().toISOString(),
    source: 'bench',
    correlationId: `c-${i}`,
    causationId: null,
    data: { n: i, note },
  })

  rows.push(await bareAmqp(rabbitUrl, n, 'pipelined', envelope))
  rows.push(await bareAmqp(rabbitUrl, Math.min(n, 2_000), 'each', envelope))
  rows.push(
    await platformPath(n, 'RabbitMQ', () =>
      createRabbitMqBus({
        url: rabbitUrl,
        exchange: 'bench.events',
        prefetch,
        log: createLogger({ service: 'bench-messaging', level: 'warn' }),
        registry: createMetricsRegistry('bench'),
      }),
    ),
  )
  const natsUrl = options.natsUrl ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222'
  rows.push(await bareJetStream(natsUrl, n, envelope))
  const exchange = `bench.${randomUUID().slice(0, 8)}`
  rows.push(
    await platformPath(n, 'NATS JetStream', () =>
      createNatsBus({
        url: natsUrl,
        exchange,
        prefetch,
        log: createLogger({ service: 'bench-messaging', level: 'warn' }),
        registry: createMetricsRegistry('bench'),
      }),
    ),
  )
  await removeStreams(natsUrl, exchange.replace(/\./g, '_'))

  const [pipelined, each, platform, bareNats, platformNats] = rows as [Row, Row, Row, Row, Row]
  const rate = (row: Row, seconds: number) => row.messages / seconds
  return {
    name: 'messaging',
    title: 'Messaging',
    method:
      `${n.toLocaleString('en-US')} events of ~0.5 kB. Platform: written to the outbox first ` +
      `(100 per transaction, not timed), then the relay (cycles of up to 500, pipelined publisher ` +
      `confirms, stored JSON passed through) and a consumer (prefetch ${prefetch}; batches of up ` +
      `to 50 deliveries, each batch's inbox rows and one effect row per event, written by ` +
      `one multi-row insert per run of events (\`onEach\`), in one transaction) start together; timed until the last event is handled. Bare amqplib: a ` +
      `confirm channel publishing persistent messages to a durable queue with pipelined ` +
      `confirms, a consumer acking each (prefetch ${prefetch}). Everything in one Node process, ` +
      `a scratch vhost and database. The NATS rows (issue 21): the same two paths on NATS ` +
      `JetStream — bare @nats-io/jetstream with pipelined publish acknowledgements (windows of ` +
      `1,000) and a durable pull consumer acking each, and the platform through its NATS ` +
      `adapter — in file-stored streams of the run's own names (deleted afterwards).`,
    tables: [
      {
        title: 'Throughput',
        columns: ['contender', 'messages', 'published/s', 'end to end /s'],
        rows: rows.map((row) => [
          row.contender,
          row.messages,
          rate(row, row.publishSeconds),
          rate(row, row.totalSeconds),
        ]),
      },
    ],
    ratios: [
      {
        name: 'platform end to end / bare amqplib (pipelined confirms) end to end',
        value: rate(platform, platform.totalSeconds) / rate(pipelined, pipelined.totalSeconds),
        unit: '×',
        target: { op: '>=', value: 0.5 },
      },
      {
        name: 'relay publishing / bare publishing with pipelined confirms',
        value: rate(platform, platform.publishSeconds) / rate(pipelined, pipelined.publishSeconds),
        unit: '×',
      },
      {
        name: 'bare: pipelined confirms / awaiting each confirm (publishing)',
        value: rate(pipelined, pipelined.publishSeconds) / rate(each, each.publishSeconds),
        unit: '×',
        note: 'reference: 8.7k vs 1k msg/s',
      },
      {
        name: 'platform on NATS end to end / bare JetStream (pipelined acks) end to end',
        value:
          rate(platformNats, platformNats.totalSeconds) / rate(bareNats, bareNats.totalSeconds),
        unit: '×',
        target: { op: '>=', value: 0.5 },
      },
      {
        name: 'platform end to end: NATS JetStream / RabbitMQ',
        value:
          rate(platformNats, platformNats.totalSeconds) / rate(platform, platform.totalSeconds),
        unit: '×',
      },
    ],
    notes: [],
  }
}

async function bareAmqp(
  url: string,
  n: number,
  confirms: 'pipelined' | 'each',
  envelope: (i: number) => EventEnvelope,
): Promise<Row> {
  const connection = await amqp.connect(url)
  const closed = onCleanup('close amqplib connection', () => connection.close())
  try {
    const queue = `bench.bare.${confirms}`
    const publisher = await connection.createConfirmChannel()
    await publisher.assertQueue(queue, { durable: true })
    await publisher.purgeQueue(queue)
    const consumer = await connection.createChannel()
    await consumer.prefetch(prefetch)
    let consumed = 0
    let allConsumed!: () => void
    const done = new Promise<void>((resolve) => (allConsumed = resolve))
    await consumer.consume(queue, (message) => {
      if (!message) return
      JSON.parse(message.content.toString()) // as a real consumer would
      consumer.ack(message)
      if (++consumed === n) allConsumed()
    })
    const started = performance.now()
    for (let i = 0; i < n; i++) {
      const body = Buffer.from(JSON.stringify(envelope(i)))
      if (confirms === 'each') {
        await new Promise<void>((resolve, reject) =>
          publisher.sendToQueue(queue, body, { persistent: true }, (error) =>
            error ? reject(error as Error) : resolve(),
          ),
        )
      } else {
        publisher.sendToQueue(queue, body, { persistent: true })
        if (i % 1_000 === 999) await publisher.waitForConfirms() // bounded window
      }
    }
    await publisher.waitForConfirms()
    const published = performance.now()
    await done
    const finished = performance.now()
    await publisher.deleteQueue(queue)
    return {
      contender: `bare amqplib, ${confirms === 'each' ? 'awaiting each confirm' : 'pipelined confirms'}`,
      messages: n,
      publishSeconds: (published - started) / 1000,
      totalSeconds: (finished - started) / 1000,
    }
  } finally {
    await closed.now()
  }
}

async function platformPath(n: number, broker: string, makeBus: () => EventBus): Promise<Row> {
  const log = createLogger({ service: 'bench-messaging', level: 'warn' })
  const database: Database = await openDatabase(
    await scratchPostgres(`messaging_${broker.split(' ')[0]!.toLowerCase()}`),
  )
  const closeDatabase = onCleanup('close messaging database', () => database.close())
  const bus = makeBus()
  const closeBus = onCleanup('close the bus', () => bus.close())
  try {
    await migrate(database, {
      migrations: {
        '001-create-effects': {
          up: (db: Kysely<any>) =>
            db.schema
              .createTable('effects')
              .addColumn('event_id', 'varchar(64)', (c) => c.notNull())
              .addColumn('n', 'integer', (c) => c.notNull())
              .execute(),
        },
      },
    })
    const outbox = createOutbox({ source: 'bench' })
    for (let i = 0; i < n; i += 100) {
      await database.transaction(async (trx) => {
        for (let j = i; j < Math.min(n, i + 100); j++) {
          await outbox.add(trx, BenchHappened, { n: j, note })
        }
      })
    }
    const db = database.db as Kysely<any>
    const count = async (query: string) => {
      const { rows } = await sql.raw<{ n: string }>(query).execute(db)
      return Number(rows[0]!.n)
    }
    let applied = 0
    const started = performance.now()
    await bus.subscribe(
      createConsumerSubscription({
        consumer: 'bench-consumer',
        database,
        log,
        handlers: [
          // One effect row per event, a run of consecutive events in one multi-row insert.
          onEach(BenchHappened, async (events, { trx }) => {
            applied += events.length
            await trx
              .insertInto('effects')
              .values(events.map(({ data, envelope }) => ({ event_id: envelope.id, n: data.n })))
              .execute()
          }),
        ],
      }),
    )
    const relayRegistry = createMetricsRegistry('r')
    const relay = createOutboxRelay({ database, bus, log, registry: relayRegistry })
    relay.start()
    const stopRelay = onCleanup('stop the relay', () => relay.stop())
    const confirmed = async () =>
      (await relayRegistry.getSingleMetric('outbox_published_total')?.get())?.values[0]?.value ?? 0
    // Watched in this process, as the bare contender's are (a query every few milliseconds
    // would load the database under test): the relay's confirmed count, and the handler's.
    let published: number | undefined
    for (;;) {
      if (published === undefined && (await confirmed()) >= n) published = performance.now()
      if (applied >= n) {
        // The last batch's transaction may still be committing: the inbox tells.
        const handled = await count(
          "select count(*) as n from inbox where consumer = 'bench-consumer'",
        )
        if (handled >= n) break
      }
      if (performance.now() - started > 600_000) throw new Error(`only ${applied} of ${n} handled`)
      await sleep(2)
    }
    const finished = performance.now()
    published ??= finished
    const effects = await count('select count(*) as n from effects')
    if (effects !== n) throw new Error(`${effects} effects for ${n} events`)
    await stopRelay.now()
    return {
      contender: `platform: outbox → relay → ${broker} → consumer with inbox`,
      messages: n,
      publishSeconds: (published - started) / 1000,
      totalSeconds: (finished - started) / 1000,
    }
  } finally {
    await closeBus.now()
    await closeDatabase.now()
  }
}

/** Bare @nats-io/jetstream: a file-stored stream, pipelined publish acks, a pull consumer. */
async function bareJetStream(
  url: string,
  n: number,
  envelope: (i: number) => EventEnvelope,
): Promise<Row> {
  const connection = await connect({ servers: url })
  const closed = onCleanup('close the NATS connection', () => connection.close())
  const stream = `BENCH_BARE_${randomUUID().slice(0, 8)}`
  const subject = `benchbare.${stream}`
  const jsm = await jetstreamManager(connection)
  try {
    const js = jetstream(connection)
    await jsm.streams.add({ name: stream, subjects: [subject], storage: StorageType.File })
    await jsm.consumers.add(stream, {
      durable_name: 'bench',
      ack_policy: AckPolicy.Explicit,
      max_ack_pending: prefetch,
    })
    const messages = await (
      await js.consumers.get(stream, 'bench')
    ).consume({
      max_messages: prefetch,
    })
    const done = (async () => {
      let consumed = 0
      for await (const message of messages) {
        JSON.parse(message.string()) // as a real consumer would
        message.ack()
        if (++consumed === n) break
      }
    })()
    const started = performance.now()
    let window: Promise<unknown>[] = []
    for (let i = 0; i < n; i++) {
      window.push(js.publish(subject, JSON.stringify(envelope(i))))
      if (window.length === 1_000) {
        await Promise.all(window) // bounded window, as the amqplib contender's
        window = []
      }
    }
    await Promise.all(window)
    const published = performance.now()
    await done
    const finished = performance.now()
    return {
      contender: 'bare @nats-io/jetstream, pipelined publish acks',
      messages: n,
      publishSeconds: (published - started) / 1000,
      totalSeconds: (finished - started) / 1000,
    }
  } finally {
    await jsm.streams.delete(stream).catch(() => undefined)
    await closed.now()
  }
}

/** The platform's NATS streams of this run (its events stream and dead-letter streams). */
async function removeStreams(url: string, prefix: string): Promise<void> {
  const connection = await connect({ servers: url })
  try {
    const jsm = await jetstreamManager(connection)
    for await (const name of jsm.streams.names())
      if (name.startsWith(prefix)) await jsm.streams.delete(name)
  } finally {
    await connection.close()
  }
}
