import { instrumentLibraries } from '@emporium/platform/instrument'

// OpenTelemetry's instrumentations patch pg, mysql2, ioredis, amqplib and undici as they load,
// so they are enabled (when the OTEL_* settings export traces) before the service is imported.
await instrumentLibraries(process.env)
const { runStandalone } = await import('@emporium/platform')
const { loadShippingConfig } = await import('./config.js')
const { createShippingService } = await import('./service.js')

// The shipping service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'shipping',
  loadConfig: () => loadShippingConfig(),
  create: (config, deps) => createShippingService(config, deps),
  listen: (config) => ({ port: config.SHIPPING_PORT, host: config.SHIPPING_HOST }),
})
