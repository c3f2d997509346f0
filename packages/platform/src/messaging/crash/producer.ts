// A producer process for the crash test: writes state changes 1..TOTAL, each with its event in
// the same transaction, while its outbox relay publishes to the broker. Killed at random and
// restarted, it resumes after the last change that committed.
import { sql } from 'kysely'
import { openDatabase } from '../../db/open-database.js'
import { migrate } from '../../db/migrate.js'
import { createLogger } from '../../log.js'
import { createMetricsRegistry } from '../../metrics.js'
import { createOutbox } from '../outbox.js'
import { createOutboxRelay } from '../outbox-relay.js'
import { createBusFromUrl } from '../bus-from-url.js'
import { ChangeMade, producerMigrations } from './change-made.js'

const total = Number(process.env.TOTAL)
const log = createLogger({ service: 'crash-producer', level: process.env.LOG_LEVEL ?? 'warn' })
const registry = createMetricsRegistry('crash-producer', { processMetrics: false })
const database = await openDatabase(process.env.DATABASE_URL!, { poolSize: 4 })
await migrate(database, { migrations: producerMigrations })
// RabbitMQ or NATS JetStream, by the URL.
const bus = createBusFromUrl(process.env.RABBITMQ_URL!, {
  exchange: process.env.EXCHANGE!,
  log,
  registry,
})
const relay = createOutboxRelay({
  database,
  bus,
  log,
  registry,
  pollIntervalMs: 50,
  maxPollIntervalMs: 50,
  maxBackoffMs: 1_000,
})
relay.start()
const outbox = createOutbox({ source: 'crash-producer' })
process.stdout.write('ready\n')

const { last } = await database.db
  .selectFrom('changes')
  .select(sql<number>`coalesce(max(n), 0)`.as('last'))
  .executeTakeFirstOrThrow()
for (let n = Number(last) + 1; n <= total; n++) {
  await database.transaction(async (trx) => {
    await trx.insertInto('changes').values({ n }).execute()
    await outbox.add(trx, ChangeMade, { n })
  })
  relay.wake()
}
process.stdout.write('produced-all\n')
