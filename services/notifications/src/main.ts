import { runStandalone } from '@emporium/platform'
import { loadNotificationsConfig } from './config.js'
import { createNotificationsService } from './service.js'

// The notifications service alone in its process. A bad configuration stops it before it
// listens, with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'notifications',
  loadConfig: () => loadNotificationsConfig(),
  create: (config, deps) => createNotificationsService(config, deps),
  listen: (config) => ({ port: config.NOTIFICATIONS_PORT, host: config.NOTIFICATIONS_HOST }),
})
