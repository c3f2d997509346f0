import type { Redis } from 'ioredis'
import type { CartStart, CartStore } from '../app/ports.js'
import type { CartLine } from '../domain/cart.js'

// Compare-and-set of a cart hash {v, lines, updatedAt, settled}, refreshing its idle TTL,
// atomically: the settled order ids change in the same write as the lines they account for.
const saveScript = `
local current = tonumber(redis.call('HGET', KEYS[1], 'v') or '0')
if current ~= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'v', ARGV[2], 'lines', ARGV[3], 'updatedAt', ARGV[4], 'settled', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`

// The same for several carts at once: every version is checked before any is written, and a
// script runs alone, so the carts change together or not at all (a merge of a guest's cart).
// Each cart's arguments: expected version, version, lines, updatedAt, settled; then the TTL.
const saveAllScript = `
for i, key in ipairs(KEYS) do
  local current = tonumber(redis.call('HGET', key, 'v') or '0')
  if current ~= tonumber(ARGV[(i - 1) * 5 + 1]) then return 0 end
end
for i, key in ipairs(KEYS) do
  local at = (i - 1) * 5
  redis.call('HSET', key, 'v', ARGV[at + 2], 'lines', ARGV[at + 3], 'updatedAt', ARGV[at + 4], 'settled', ARGV[at + 5])
  redis.call('PEXPIRE', key, ARGV[#ARGV])
end
return 1`

export interface RedisCartStoreOptions {
  redis: Redis
  /** Prefix of every key (e.g. `emporium:cart:`); tests use one of their own. */
  keyPrefix: string
  /** Idle time after which Redis drops a cart; every write restarts it. */
  ttlMs: number
  /**
   * Tells `cart.started` after a compare-and-set that started a cart succeeded (Redis cannot
   * join the outbox's transaction); it must not throw: the cart is written whatever becomes of
   * the event (`createCartStartAnnouncer`). Without it, a save that starts a cart is refused.
   */
  announceStart?: (start: CartStart) => Promise<void>
}

/**
 * Carts as Redis hashes, one key per user, expiring after `ttlMs` without a write. `settled` (a
 * JSON array of order ids) came later: a hash without it reads as an empty list.
 */
export function createRedisCartStore(options: RedisCartStoreOptions): CartStore {
  const { redis, keyPrefix, ttlMs } = options
  const key = (userId: string) => `${keyPrefix}cart:${userId}`
  return {
    async get(userId) {
      const hash = await redis.hgetall(key(userId))
      if (!hash.v) return undefined
      return {
        userId,
        version: Number(hash.v),
        lines: JSON.parse(hash.lines ?? '[]') as CartLine[],
        updatedAt: hash.updatedAt ?? new Date(0).toISOString(),
        settledOrderIds: JSON.parse(hash.settled ?? '[]') as string[],
      }
    },
    async save(cart, expectedVersion, started) {
      const { announceStart } = options
      if (started && !announceStart) throw new Error('cart.started needs an announcer')
      const result = await redis.eval(
        saveScript,
        1,
        key(cart.userId),
        String(expectedVersion),
        String(cart.version),
        JSON.stringify(cart.lines),
        cart.updatedAt,
        String(ttlMs),
        JSON.stringify(cart.settledOrderIds),
      )
      if (result !== 1) return false
      // A crash between the two writes loses this cart's event: reporting's carts are a lower
      // bound with Redis (service.ts).
      if (started) await announceStart?.(started)
      return true
    },
    async saveAll(writes) {
      if (writes.length === 0) return true
      const result = await redis.eval(
        saveAllScript,
        writes.length,
        ...writes.map((w) => key(w.cart.userId)),
        ...writes.flatMap((w) => [
          String(w.expectedVersion),
          String(w.cart.version),
          JSON.stringify(w.cart.lines),
          w.cart.updatedAt,
          JSON.stringify(w.cart.settledOrderIds),
        ]),
        String(ttlMs),
      )
      return result === 1
    },
    async sweepIdle() {
      return 0
    },
  }
}
