import { afterAll } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createSqlCartStore } from '../src/infra/sql-cart-store.js'
import { cartStoreSuite } from './cart-store-suite.js'
import { clearOnConfirmSuite } from './order-confirmed-suite.js'

// One database for both suites (test users are unique per run).
let opened: Promise<TestDatabase> | undefined
const open = () =>
  (opened ??= createTestDatabase('postgres').then(async (test) => {
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    return test
  }))
afterAll(async () => (await opened)?.drop())

cartStoreSuite(
  'SQL store on PostgreSQL',
  async () => ({
    store: createSqlCartStore((await open()).database),
    ttlLeftMs: async () => undefined,
    close: async () => undefined,
  }),
  30 * 86_400_000,
)

clearOnConfirmSuite('PostgreSQL', async () => (await open()).database)
