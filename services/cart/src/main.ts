import { runStandalone } from '@emporium/platform'
import { loadCartConfig } from './config.js'
import { createCartService } from './service.js'

// The cart service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'cart',
  loadConfig: () => loadCartConfig(),
  create: (config, deps) => createCartService(config, deps),
  listen: (config) => ({ port: config.CART_PORT, host: config.CART_HOST }),
})
