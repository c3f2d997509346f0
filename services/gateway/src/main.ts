import { createLogger, extraLatencyOf, loadConfigOrExit, runProcess } from '@emporium/platform'
import { GatewayConfig } from './config.js'
import { createGatewayService } from './service.js'

const config = loadConfigOrExit(GatewayConfig)
const log = createLogger({ service: 'gateway', level: config.LOG_LEVEL })
await runProcess({
  log,
  timeoutMs: config.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  extraLatency: extraLatencyOf(config),
  services: [
    { create: () => createGatewayService(config, { log }), port: config.PORT, host: config.HOST },
  ],
})
