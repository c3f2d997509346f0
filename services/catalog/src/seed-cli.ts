import {
  createLogger,
  createOutbox,
  loadConfigOrExit,
  migrate,
  openDatabase,
} from '@emporium/platform'
import Type from 'typebox'
import { generateDemoCatalog } from './domain/demo-catalog.js'
import { createKyselyStore } from './infra/kysely-store.js'

// `npm run seed`: migrates CATALOG_DATABASE_URL and inserts the demo catalog when it has no
// product (idempotent). The product.created events wait in the outbox for the service's relay.
const config = loadConfigOrExit(
  Type.Object({
    CATALOG_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
    CATALOG_SEED: Type.Integer({ default: 42 }),
  }),
)
const log = createLogger({ service: 'catalog-seed', level: 'info' })
const database = await openDatabase(config.CATALOG_DATABASE_URL)
try {
  await migrate(database, { migrations: new URL('../migrations/', import.meta.url) })
  const store = createKyselyStore({ database, outbox: createOutbox({ source: 'catalog' }), log })
  const demo = generateDemoCatalog({ seed: config.CATALOG_SEED })
  const seeded = await store.seedIfEmpty(demo, new Date())
  log.info(
    seeded
      ? `seeded ${demo.products.length} products in ${demo.categories.length} categories`
      : 'the catalog has products already: nothing seeded',
  )
} finally {
  await database.close()
}
