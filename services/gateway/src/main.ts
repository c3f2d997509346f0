import { runStandalone } from '@emporium/platform'
import { loadGatewayConfig } from './config.js'
import { createGatewayService } from './service.js'

// The gateway alone in its process. A bad configuration stops it before it listens, with exit
// code 78 and a message naming the variable.
await runStandalone({
  name: 'gateway',
  loadConfig: () => loadGatewayConfig(),
  create: (config, deps) => createGatewayService(config, deps),
  listen: (config) => ({ port: config.PORT, host: config.HOST }),
})
