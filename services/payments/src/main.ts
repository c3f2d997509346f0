import { runStandalone } from '@emporium/platform'
import { loadPaymentsConfig } from './config.js'
import { createPaymentsService } from './service.js'

// The payments service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'payments',
  loadConfig: () => loadPaymentsConfig(),
  create: (config, deps) => createPaymentsService(config, deps),
  listen: (config) => ({ port: config.PAYMENTS_PORT, host: config.PAYMENTS_HOST }),
})
