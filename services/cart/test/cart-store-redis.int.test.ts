import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { testServers } from '@emporium/platform/testing'
import { createRedisCartStore } from '../src/infra/redis-cart-store.js'
import { cartStoreSuite } from './cart-store-suite.js'

const ttlMs = 30 * 86_400_000

cartStoreSuite(
  'Redis',
  async () => {
    const redis = new Redis(testServers.redis)
    const keyPrefix = `test:cart:${randomBytes(6).toString('hex')}:`
    return {
      store: createRedisCartStore({ redis, keyPrefix, ttlMs }),
      ttlLeftMs: async (userId) => redis.pttl(`${keyPrefix}cart:${userId}`),
      async close() {
        const keys = await redis.keys(`${keyPrefix}*`)
        if (keys.length) await redis.del(...keys)
        await redis.quit()
      },
    }
  },
  ttlMs,
)
