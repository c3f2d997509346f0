import {
  createInProcessBus,
  createLogger,
  defaultRetryPolicy,
  loadConfigOrExit,
  runProcess,
} from '@emporium/platform'
import { AllInOneConfig } from './config.js'
import { embeddedServices } from './services.js'

// The embedded default behind `npm start`: every service in this one process, each on its own
// port with its own PGlite folder, events through the in-process bus.
const config = loadConfigOrExit(AllInOneConfig)
const log = createLogger({ base: { process: 'all-in-one' }, level: config.LOG_LEVEL })
const bus = createInProcessBus({ retry: defaultRetryPolicy, log })
const running = await runProcess({
  log,
  bus,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  services: embeddedServices(config),
})
const gateway = running.find((s) => s.name === 'gateway')
log.info(`Emporium is running at ${gateway?.url ?? `http://${config.HOST}:${config.PORT}`}`)
