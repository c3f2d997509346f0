import { runStandalone } from '@emporium/platform'
import { loadOrdersConfig } from './config.js'
import { createOrdersService } from './service.js'

// The orders service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'orders',
  loadConfig: () => loadOrdersConfig(),
  create: (config, deps) => createOrdersService(config, deps),
  listen: (config) => ({ port: config.ORDERS_PORT, host: config.ORDERS_HOST }),
})
