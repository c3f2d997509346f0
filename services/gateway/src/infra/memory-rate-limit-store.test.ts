import { describe, expect, it } from 'vitest'
import type { AccountDelayPolicy } from '../domain/account-delay.js'
import type { RatePolicy } from '../domain/gcra.js'
import { createMemoryRateLimitStore } from './memory-rate-limit-store.js'

const policy: RatePolicy = { name: 'test', limit: 5, periodMs: 60_000 }

describe('memory rate limit store', () => {
  it('keeps quotas per policy and key', async () => {
    let now = 0
    const store = createMemoryRateLimitStore({ now: () => now })
    const other = { ...policy, name: 'other' }
    for (let i = 0; i < 5; i++) expect((await store.consume(policy, 'a')).allowed).toBe(true)
    expect((await store.consume(policy, 'a')).allowed).toBe(false)
    expect((await store.consume(policy, 'b')).allowed).toBe(true)
    expect((await store.consume(other, 'a')).allowed).toBe(true)
    now = 12_000
    expect((await store.consume(policy, 'a')).allowed).toBe(true)
  })

  it('keeps the newest quota while bounding the store', async () => {
    let now = 0
    const store = createMemoryRateLimitStore({ maxKeys: 10, now: () => now })
    for (let i = 0; i < 50; i++) {
      now += 1
      await store.consume(policy, `k${i}`)
    }
    // The newest client still has its quota spent; memory did not grow past the bound.
    expect((await store.consume(policy, 'k49')).remaining).toBe(3)
  })

  it('keeps at most maxKeys spent quotas, dropping the oldest clients first', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 10, now: () => 0 })
    for (let i = 0; i < 50; i++) {
      expect((await store.consume(policy, `k${i}`, policy.limit)).allowed).toBe(true)
    }
    // A refusal stores nothing, so probing newest first counts the quotas still held: the
    // newest clients remain refused, the first one forgotten gets a fresh quota.
    let held = 0
    while (held < 50 && !(await store.consume(policy, `k${49 - held}`)).allowed) held++
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(10)
  })

  it('forgets expired quotas before dropping older live ones', async () => {
    let now = 0
    const store = createMemoryRateLimitStore({ maxKeys: 10, now: () => now })
    const slow: RatePolicy = { name: 'slow', limit: 1, periodMs: 1_000_000 }
    expect((await store.consume(slow, 'oldest')).allowed).toBe(true)
    for (let i = 0; i < 9; i++) await store.consume(policy, `k${i}`) // each expires at 12 s
    now = 20_000
    await store.consume(policy, 'new') // 11 keys: the 9 expired go, the oldest live one stays
    expect((await store.consume(slow, 'oldest')).allowed).toBe(false)
  })

  it('keeps at most maxKeys account delays, dropping the oldest accounts first', async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 10, now: () => 0 })
    const delays: AccountDelayPolicy = {
      name: 'delay',
      freeFailures: 0,
      baseDelayMs: 1_000,
      maxDelayMs: 5_000,
      windowMs: 60_000,
    }
    for (let i = 0; i < 50; i++) {
      expect(await store.spendAccountAttempt(delays, `a${i}`)).toMatchObject({ allowed: true })
    }
    // Each account is now delayed; a refused attempt stores nothing, so count newest first.
    let held = 0
    while (held < 50 && !(await store.spendAccountAttempt(delays, `a${49 - held}`)).allowed) held++
    expect(held).toBeGreaterThan(0)
    expect(held).toBeLessThanOrEqual(10)
  })

  it('keeps account delays per account, refunds included', async () => {
    let now = 0
    const store = createMemoryRateLimitStore({ now: () => now })
    const delays: AccountDelayPolicy = {
      name: 'delay',
      freeFailures: 1,
      baseDelayMs: 1_000,
      maxDelayMs: 5_000,
      windowMs: 60_000,
    }
    expect(await store.spendAccountAttempt(delays, 'a')).toMatchObject({ allowed: true })
    const second = await store.spendAccountAttempt(delays, 'a')
    expect(second).toEqual({ allowed: true, retryAfterMs: 0, ticket: 1_000 })
    expect(await store.spendAccountAttempt(delays, 'a')).toMatchObject({ allowed: false })
    expect(await store.spendAccountAttempt(delays, 'b')).toMatchObject({ allowed: true })
    await store.refundAccountAttempt(delays, 'a', second.ticket)
    expect(await store.spendAccountAttempt(delays, 'a')).toMatchObject({ allowed: true })
    expect(await store.spendAccountAttempt(delays, 'a')).toMatchObject({ retryAfterMs: 1_000 })
    now = 1_000
    expect(await store.spendAccountAttempt(delays, 'a')).toMatchObject({ ticket: 3_000 })
  })
})
