import { afterAll } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase, type TestDatabase } from '@emporium/platform/testing'
import { createSqlCartStore, createSqlCartWriter } from '../src/infra/sql-cart-store.js'
import { cartStoreSuite } from './cart-store-suite.js'
import { settleOnConfirmSuite } from './order-confirmed-suite.js'
import { storeLegacySqlCart } from './sql-support.js'

// One database for both suites (test users are unique per run).
let opened: Promise<TestDatabase> | undefined
const open = () =>
  (opened ??= createTestDatabase('postgres').then(async (test) => {
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    return test
  }))
afterAll(async () => (await opened)?.drop())

cartStoreSuite(
  'infra/sql-cart-store on PostgreSQL',
  async () => ({
    store: createSqlCartStore((await open()).database),
    ttlLeftMs: async () => undefined,
    close: async () => undefined,
  }),
  30 * 86_400_000,
)

settleOnConfirmSuite('infra/sql-cart-store on PostgreSQL, in the inbox transaction', async () => {
  const { database } = await open()
  return {
    store: createSqlCartStore(database),
    cartsIn: (trx) => createSqlCartWriter(trx),
    database,
    storeLegacyCart: (userId, lines) => storeLegacySqlCart(database, userId, lines),
    close: async () => undefined,
  }
})
