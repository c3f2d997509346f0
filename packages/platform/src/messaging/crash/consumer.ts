// A consumer process for the crash test: applies each change.made event to its own table,
// through the inbox, acking only after commit. Killed at random and restarted.
import { openDatabase } from '../../db/open-database.js'
import { migrate } from '../../db/migrate.js'
import { createLogger } from '../../log.js'
import { createMetricsRegistry } from '../../metrics.js'
import { on } from '../consumer.js'
import { createBusFromUrl } from '../bus-from-url.js'
import { createConsumerSubscription } from '../subscription.js'
import { ChangeMade, consumerMigrations } from './change-made.js'

const log = createLogger({ service: 'crash-consumer', level: process.env.LOG_LEVEL ?? 'warn' })
const registry = createMetricsRegistry('crash-consumer', { processMetrics: false })
const database = await openDatabase(process.env.DATABASE_URL!, { poolSize: 8 })
await migrate(database, { migrations: consumerMigrations })
// RabbitMQ or NATS JetStream, by the URL.
const bus = createBusFromUrl(process.env.RABBITMQ_URL!, {
  exchange: process.env.EXCHANGE!,
  retry: { delaysMs: [100, 200, 400, 800, 1_600, 3_200] },
  // On NATS, what a killed consumer took comes back this soon (not after the default minute).
  ackWaitMs: 2_000,
  log,
  registry,
})
await bus.subscribe(
  createConsumerSubscription({
    consumer: process.env.CONSUMER!,
    database,
    log,
    handlers: [
      on(ChangeMade, async ({ n }, { trx, envelope }) => {
        await trx.insertInto('effects').values({ event_id: envelope.id, n }).execute()
      }),
    ],
  }),
)
process.stdout.write('ready\n')
