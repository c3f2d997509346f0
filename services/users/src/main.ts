import { runStandalone } from '@emporium/platform'
import { loadUsersConfig } from './config.js'
import { createUsersService } from './service.js'

// The users service alone in its process. A bad configuration, or signing keys that cannot be
// used, stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'users',
  loadConfig: () => loadUsersConfig(),
  create: (config, deps) => createUsersService(config, deps),
  listen: (config) => ({ port: config.USERS_PORT, host: config.USERS_HOST }),
})
