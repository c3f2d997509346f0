import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll } from 'vitest'
import { migrate } from '@emporium/platform'
import { createTestDatabase, testServers, type TestDatabase } from '@emporium/platform/testing'
import { createRedisCartStore } from '../src/infra/redis-cart-store.js'
import { cartStoreSuite } from './cart-store-suite.js'
import { settleOnConfirmSuite } from './order-confirmed-suite.js'

const ttlMs = 30 * 86_400_000

async function redisUnderTest() {
  const redis = new Redis(testServers.redis)
  const keyPrefix = `test:cart:${randomBytes(6).toString('hex')}:`
  return {
    redis,
    keyPrefix,
    store: createRedisCartStore({ redis, keyPrefix, ttlMs }),
    async close() {
      const keys = await redis.keys(`${keyPrefix}*`)
      if (keys.length) await redis.del(...keys)
      await redis.quit()
    },
  }
}

cartStoreSuite(
  'infra/redis-cart-store on Redis',
  async () => {
    const subject = await redisUnderTest()
    return {
      store: subject.store,
      ttlLeftMs: async (userId) => subject.redis.pttl(`${subject.keyPrefix}cart:${userId}`),
      close: subject.close,
    }
  },
  ttlMs,
)

// The production wiring: carts in Redis, written outside the inbox transaction of the
// service's SQL database (PGlite here).
let inboxDatabase: Promise<TestDatabase> | undefined
afterAll(async () => (await inboxDatabase)?.drop())

settleOnConfirmSuite('infra/redis-cart-store on Redis, beside an inbox on PGlite', async () => {
  const subject = await redisUnderTest()
  inboxDatabase ??= createTestDatabase('pglite').then(async (test) => {
    await migrate(test.database, { migrations: new URL('../migrations/', import.meta.url) })
    return test
  })
  return {
    store: subject.store,
    cartsIn: () => subject.store,
    database: (await inboxDatabase).database,
    // Before the settled list, a cart hash had these three fields only.
    async storeLegacyCart(userId, lines) {
      await subject.redis.hset(`${subject.keyPrefix}cart:${userId}`, {
        v: '1',
        lines: JSON.stringify(lines),
        updatedAt: new Date().toISOString(),
      })
    },
    close: subject.close,
  }
})
