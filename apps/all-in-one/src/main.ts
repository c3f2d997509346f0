import {
  createInProcessBus,
  createLogger,
  defaultRetryPolicy,
  runProcess,
} from '@emporium/platform'
import { loadAllInOneConfig } from './config.js'
import { embeddedServices } from './services.js'

// The embedded default behind `npm start`: every service in this one process, each on its own
// port with its own PGlite folder, events through the in-process bus.
const { config, env } = loadAllInOneConfig()
const log = createLogger({ base: { process: 'all-in-one' }, level: config.LOG_LEVEL })
const bus = createInProcessBus({ retry: defaultRetryPolicy, log })
const running = await runProcess({
  log,
  bus,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  services: embeddedServices(config, env),
})
const gateway = running.find((s) => s.name === 'gateway')
log.info(`Emporium is running at ${gateway?.url ?? `http://${config.HOST}:${config.PORT}`}`)
if (gateway?.managementUrl) log.info(`Metrics and readiness at ${gateway.managementUrl}`)
