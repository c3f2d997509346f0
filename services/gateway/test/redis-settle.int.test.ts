import { randomUUID } from 'node:crypto'
import { createMetricsRegistry } from '@emporium/platform'
import { testServers } from '@emporium/platform/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RatePolicy } from '../src/domain/gcra.js'
import { createMemoryRateLimitStore } from '../src/infra/memory-rate-limit-store.js'
import {
  createRedisRateLimitStore,
  type SharedRateLimitStore,
} from '../src/infra/redis-rate-limit-store.js'
import { log } from './gateway-harness.js'

// 5 per minute: a token every 12 s, so the few milliseconds of the test change no figure.
const policy: RatePolicy = { name: 'client', limit: 5, periodMs: 60_000 }
let store: SharedRateLimitStore

beforeAll(async () => {
  store = createRedisRateLimitStore({
    url: testServers.redis,
    keyPrefix: `gateway-test:${randomUUID()}:`,
    fallback: createMemoryRateLimitStore(),
    log,
    registry: createMetricsRegistry('gateway-settle-test'),
  })
  await store.start()
})

afterAll(async () => {
  await store?.close()
})

const near = (value: number, expected: number) => {
  expect(value).toBeGreaterThanOrEqual(expected - 50)
  expect(value).toBeLessThanOrEqual(expected + 1)
}

describe('the Redis settle script (domain/gcra.ts settleGcra in Lua)', () => {
  it('counts spends admitted elsewhere past full, and refuses for that much longer', async () => {
    const settled = (await store.settle(policy, 'a', 7, 1))!
    expect(settled).toMatchObject({ allowed: false, remaining: 0 })
    near(settled.resetMs, 84_000)
    near(settled.retryAfterMs, 36_000)
    // The exact per-request path reads the same bucket.
    expect((await store.consume(policy, 'a')).allowed).toBe(false)
  })

  it('then decides the one spend as the exact script would', async () => {
    const settled = (await store.settle(policy, 'b', 2, 1))!
    expect(settled).toMatchObject({ allowed: true, remaining: 2, retryAfterMs: 0 })
    near(settled.resetMs, 36_000)
    const flushed = (await store.settle(policy, 'b', 1, 0))!
    expect(flushed.remaining).toBe(1)
    expect(await store.consume(policy, 'b')).toMatchObject({ allowed: true, remaining: 0 })
  })

  it('answers a flush of nothing with the bucket as it is, keeping nothing for a full one', async () => {
    const settled = (await store.settle(policy, 'c', 0, 0))!
    expect(settled).toMatchObject({ remaining: 5, resetMs: 0 })
  })
})
