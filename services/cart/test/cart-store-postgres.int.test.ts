import { migrate } from '@emporium/platform'
import { createTestDatabase } from '@emporium/platform/testing'
import { createSqlCartStore } from '../src/infra/sql-cart-store.js'
import { cartStoreSuite } from './cart-store-suite.js'

cartStoreSuite(
  'SQL store on PostgreSQL',
  async () => {
    const test = await createTestDatabase('postgres')
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    return {
      store: createSqlCartStore(test.database),
      ttlLeftMs: async () => undefined,
      close: () => test.drop(),
    }
  },
  30 * 86_400_000,
)
