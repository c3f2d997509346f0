import { createGatewayService } from '@emporium/gateway'
import type { Service } from '@emporium/platform'
import type { AllInOneConfig } from './config.js'

interface Entry {
  create: () => Service | Promise<Service>
  port: number
  host?: string
}

/**
 * The services of the embedded platform, in start order (the gateway last, once its upstreams
 * answer). Each gets its own port from EMBEDDED_PORT_BASE and its own data folder.
 */
export function embeddedServices(config: AllInOneConfig): Entry[] {
  return [
    {
      create: () =>
        createGatewayService({
          LOG_LEVEL: config.LOG_LEVEL,
          RABBITMQ_URL: 'memory',
          SHUTDOWN_TIMEOUT_SECONDS: config.SHUTDOWN_TIMEOUT_SECONDS,
          PORT: config.PORT,
          HOST: config.HOST,
        }),
      port: config.PORT,
      host: config.HOST,
    },
  ]
}
