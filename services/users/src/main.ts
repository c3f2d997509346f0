import { instrumentLibraries } from '@emporium/platform/instrument'

// OpenTelemetry's instrumentations patch pg, mysql2, ioredis, amqplib and undici as they load,
// so they are enabled (when the OTEL_* settings export traces) before the service is imported.
await instrumentLibraries(process.env)
const { runStandalone } = await import('@emporium/platform')
const { loadUsersConfig } = await import('./config.js')
const { createUsersService } = await import('./service.js')

// The users service alone in its process. A bad configuration, or signing keys that cannot be
// used, stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'users',
  loadConfig: () => loadUsersConfig(),
  create: (config, deps) => createUsersService(config, deps),
  listen: (config) => ({ port: config.USERS_PORT, host: config.USERS_HOST }),
})
