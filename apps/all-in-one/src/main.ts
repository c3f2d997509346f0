import {
  createInProcessBus,
  createLogger,
  defaultRetryPolicy,
  runProcess,
} from '@emporium/platform'
import { loadAllInOneConfig } from './config.js'
import { startGatewayThread } from './gateway-thread.js'
import { embeddedServices } from './services.js'

// The embedded default behind `npm start`: every service in this one process, each on its own
// port, their tables in one PGlite database (a schema each), events through the in-process bus;
// the gateway on a worker thread of its own so that it answers (and sheds) while the services
// are busy.
const { config, env } = loadAllInOneConfig()
const log = createLogger({ base: { process: 'all-in-one' }, level: config.LOG_LEVEL })
const bus = createInProcessBus({ retry: defaultRetryPolicy, log })
const running = await runProcess({
  log,
  bus,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  services: [
    ...embeddedServices(config, env).filter((entry) => entry.name !== 'gateway'),
    { name: 'gateway', start: () => startGatewayThread(log) },
  ],
})
const gateway = running.find((s) => s.name === 'gateway')
log.info(`Emporium is running at ${gateway?.url ?? `http://${config.HOST}:${config.PORT}`}`)
if (gateway?.managementUrl) log.info(`Metrics and readiness at ${gateway.managementUrl}`)
