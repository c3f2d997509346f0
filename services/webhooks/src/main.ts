import { instrumentLibraries } from '@emporium/platform/instrument'

// OpenTelemetry's instrumentations patch pg, mysql2, ioredis, amqplib and undici as they load,
// so they are enabled (when the OTEL_* settings export traces) before the service is imported.
await instrumentLibraries(process.env)
const { runStandalone } = await import('@emporium/platform')
const { loadWebhooksConfig } = await import('./config.js')
const { createWebhooksService } = await import('./service.js')

// The webhooks service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'webhooks',
  loadConfig: () => loadWebhooksConfig(),
  create: (config, deps) => createWebhooksService(config, deps),
  listen: (config) => ({ port: config.WEBHOOKS_PORT, host: config.WEBHOOKS_HOST }),
})
