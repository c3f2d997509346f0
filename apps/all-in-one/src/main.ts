import { instrumentLibraries } from '@emporium/platform/instrument'

// The libraries' instrumentations first (when the OTEL_* settings export traces), then the rest.
await instrumentLibraries(process.env)
const {
  createInProcessBus,
  createLogger,
  defaultRetryPolicy,
  runProcess,
  startTraceExport,
  usePgliteTemplates,
} = await import('@emporium/platform')
const { loadAllInOneConfig } = await import('./config.js')
const { spawnGatewayThread } = await import('./gateway-thread.js')
const { embeddedServices } = await import('./services.js')

// The embedded default behind `npm start`: every service in this one process, each on its own
// port, their tables in one PGlite database (a schema each), events through the in-process bus;
// the gateway on a worker thread of its own (EMBEDDED_GATEWAY_THREAD) so that it answers (and
// sheds) while the services are busy.
const { config, env } = loadAllInOneConfig()
const log = createLogger({
  base: { process: 'all-in-one' },
  level: config.LOG_LEVEL,
  format: config.LOG_FORMAT,
})
// One tracer provider for the services of this thread: each span names its service
// (`service.name`), and the exporter gives it that service's resource.
startTraceExport(config, { log })
usePgliteTemplates(config.PGLITE_TEMPLATE_DIR)
const bus = createInProcessBus({ retry: defaultRetryPolicy, log })
const entries = embeddedServices(config, env)
// Started first, so that its modules load on the other core while the services start.
const gatewayThread = config.EMBEDDED_GATEWAY_THREAD ? spawnGatewayThread(log) : undefined
const running = await runProcess({
  log,
  bus,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  services: gatewayThread
    ? [
        ...entries.filter((entry) => entry.name !== 'gateway'),
        { name: 'gateway', start: () => gatewayThread.listen() },
      ]
    : entries,
})
const gateway = running.find((s) => s.name === 'gateway')
log.info(`Emporium is running at ${gateway?.url ?? `http://${config.HOST}:${config.PORT}`}`)
if (gateway?.managementUrl) log.info(`Metrics and readiness at ${gateway.managementUrl}`)
