import { describe, expect, it } from 'vitest'
import {
  delayAfter,
  refundAccountAttempt,
  spendAccountAttempt,
  type AccountDelayPolicy,
  type AccountDelayState,
} from './account-delay.js'

const policy: AccountDelayPolicy = {
  name: 'test',
  freeFailures: 3,
  baseDelayMs: 1_000,
  maxDelayMs: 10_000,
  windowMs: 60_000,
}

describe('account delays', () => {
  it('are free up to the free failures, then double up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 50, 5_000].map((n) => delayAfter(n, policy))).toEqual([
      0, 0, 0, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000,
    ])
  })

  it('refuse attempts until the last failure’s delay is over, saying how long', () => {
    let state: AccountDelayState | undefined
    let now = 0
    const spend = () => {
      const result = spendAccountAttempt(state, now, policy)
      state = result.state
      return result.attempt
    }
    for (let i = 0; i < 4; i++) expect(spend()).toMatchObject({ allowed: true })
    expect(spend()).toEqual({ allowed: false, retryAfterMs: 1_000, ticket: 0 })
    now += 400
    expect(spend()).toEqual({ allowed: false, retryAfterMs: 600, ticket: 0 })
    now += 600
    expect(spend()).toEqual({ allowed: true, retryAfterMs: 0, ticket: 3_000 })
    expect(spend()).toMatchObject({ allowed: false, retryAfterMs: 2_000 })
    // Forgotten a window after the last failure.
    now += 2_000 + policy.windowMs
    expect(spend()).toEqual({ allowed: true, retryAfterMs: 0, ticket: 0 })
    expect(state?.failures).toBe(1)
  })

  it('give back an attempt that did not fail, lifting only the block it set', () => {
    let state: AccountDelayState | undefined
    for (let i = 0; i < 3; i++) state = spendAccountAttempt(state, 0, policy).state
    const fourth = spendAccountAttempt(state, 10, policy)
    expect(fourth.attempt.ticket).toBe(1_010)
    // The fourth was the owner with the right password: no failure, no delay.
    state = refundAccountAttempt(fourth.state, 20, fourth.attempt.ticket)
    expect(state).toEqual({ failures: 3, blockedUntil: 0, expiresAt: 60_010 })
    // A refund of an attempt that set no block leaves a later block in place.
    const blocked = spendAccountAttempt(state, 30, policy).state!
    expect(refundAccountAttempt(blocked, 40, 0)).toEqual({ ...blocked, failures: 3 })
    expect(refundAccountAttempt({ failures: 1, blockedUntil: 0, expiresAt: 50 }, 40, 0)).toBe(
      undefined,
    )
    expect(refundAccountAttempt(undefined, 40, 0)).toBe(undefined)
  })
})
