import { runStandalone } from '@emporium/platform'
import { loadCatalogConfig } from './config.js'
import { createCatalogService } from './service.js'

// The catalog service alone in its process. A bad configuration stops it before it listens,
// with exit code 78 and a message naming the variable.
await runStandalone({
  name: 'catalog',
  loadConfig: () => loadCatalogConfig(),
  create: (config, deps) => createCatalogService(config, deps),
  listen: (config) => ({ port: config.CATALOG_PORT, host: config.CATALOG_HOST }),
})
