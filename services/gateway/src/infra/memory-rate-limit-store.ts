import type { RateLimitStore } from '../app/ports.js'
import {
  refundAccountAttempt,
  spendAccountAttempt,
  type AccountDelayState,
} from '../domain/account-delay.js'
import { gcra } from '../domain/gcra.js'

/**
 * Quotas in this process: the embedded mode's store, and the fallback while Redis is down (the
 * limits then hold per instance). Bounded: past `maxKeys` the expired entries are swept, then
 * the oldest dropped (a dropped client merely gets a fresh quota).
 */
export function createMemoryRateLimitStore(
  options: { maxKeys?: number; now?: () => number } = {},
): RateLimitStore {
  const maxKeys = options.maxKeys ?? 100_000
  const now = options.now ?? Date.now
  const tats = new Map<string, number>()
  const accounts = new Map<string, AccountDelayState>()

  function sweep(at: number) {
    for (const [key, tat] of tats) if (tat <= at) tats.delete(key)
    for (const key of tats.keys()) {
      if (tats.size <= maxKeys * 0.9) break
      tats.delete(key)
    }
  }
  function sweepAccounts(at: number) {
    for (const [key, state] of accounts) if (state.expiresAt <= at) accounts.delete(key)
    for (const key of accounts.keys()) {
      if (accounts.size <= maxKeys * 0.9) break
      accounts.delete(key)
    }
  }
  function keep(id: string, state: AccountDelayState | undefined, at: number) {
    accounts.delete(id) // re-inserted last: the map stays in order of last use
    if (state) accounts.set(id, state)
    if (accounts.size > maxKeys) sweepAccounts(at)
  }

  return {
    async consume(policy, key, cost = 1) {
      const at = now()
      const id = `${policy.name}:${key}`
      const result = gcra(tats.get(id), at, policy, cost)
      if (result.changed) {
        tats.delete(id) // re-inserted last: the map stays in order of last use
        if (result.tat !== undefined) tats.set(id, result.tat)
        if (tats.size > maxKeys) sweep(at)
      }
      return result.decision
    },
    async spendAccountAttempt(policy, key) {
      const at = now()
      const id = `${policy.name}:${key}`
      const { attempt, state } = spendAccountAttempt(accounts.get(id), at, policy)
      if (attempt.allowed) keep(id, state, at)
      return attempt
    },
    async refundAccountAttempt(policy, key, ticket) {
      const at = now()
      const id = `${policy.name}:${key}`
      if (!accounts.has(id)) return
      keep(id, refundAccountAttempt(accounts.get(id), at, ticket), at)
    },
  }
}
