import { catalogSuite } from './catalog-service-suite.js'

// The seed is proven on PostgreSQL only (same SQL; a second PGlite costs ~5 s).
catalogSuite('pglite')
