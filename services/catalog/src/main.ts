import {
  ConfigError,
  createInProcessBus,
  createLogger,
  createRabbitMqBus,
  defaultRetryPolicy,
  runProcess,
} from '@emporium/platform'
import { loadCatalogConfig } from './config.js'
import { createCatalogService } from './service.js'

// The catalog service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
async function orExit<T>(load: () => T | Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`${error.message}\n`)
    process.exit(78) // EX_CONFIG
  }
}

const config = await orExit(() => loadCatalogConfig())
const log = createLogger({ service: 'catalog', level: config.LOG_LEVEL })
const service = await orExit(() => createCatalogService(config, { log }))
const bus = /^amqps?:\/\//.test(config.RABBITMQ_URL)
  ? createRabbitMqBus({ url: config.RABBITMQ_URL, log, connectionName: 'catalog' })
  : createInProcessBus({ retry: defaultRetryPolicy, log })
await runProcess({
  log,
  bus,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  services: [{ create: () => service, port: config.CATALOG_PORT, host: config.CATALOG_HOST }],
})
