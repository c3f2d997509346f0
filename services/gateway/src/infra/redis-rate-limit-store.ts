import type { Logger, Registry } from '@emporium/platform'
import { Redis } from 'ioredis'
import { Gauge } from 'prom-client'
import type { RateLimitStore } from '../app/ports.js'
import type { AccountDelayPolicy } from '../domain/account-delay.js'
import type { RateDecision, RatePolicy } from '../domain/gcra.js'
import { accountDelayScript, gcraScript, settleScript } from './redis-rate-limit-scripts.js'
import type { SharedBuckets } from './synced-rate-limit-store.js'

type GcraReply = [number, number, number, number]
type AccountReply = [number, number, number]
type ScriptedRedis = Redis & {
  gatewayGcra(key: string, limit: number, periodMs: number, cost: number): Promise<GcraReply>
  gatewayAccountDelay(key: string, ...args: Array<number | string>): Promise<AccountReply>
  gatewaySettle(
    key: string,
    limit: number,
    periodMs: number,
    forced: number,
    cost: number,
  ): Promise<GcraReply>
}

export interface SharedRateLimitStore extends SharedBuckets {
  start(): Promise<void>
  close(): Promise<void>
  /** For `/readyz`: a message while degraded to per-instance limits (still serving). */
  readiness(): Promise<string | undefined>
}

/**
 * Quotas in Redis, shared by every gateway replica. While Redis cannot be reached the gateway
 * keeps serving, with `fallback` (this instance's memory) as the store: said once in the logs
 * when it happens and again when Redis is back, by a gauge, and in `/readyz`. Commands fail
 * fast (no offline queue, a short timeout), so an outage adds no latency to requests.
 */
export function createRedisRateLimitStore(options: {
  url: string
  keyPrefix: string
  fallback: RateLimitStore
  log: Logger
  registry: Registry
}): SharedRateLimitStore {
  const { log, fallback } = options
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    // Every request spends from a bucket: the scripts of one event-loop turn go to Redis in one
    // write rather than one write (a system call) each.
    enableAutoPipelining: true,
  }) as ScriptedRedis
  client.defineCommand('gatewayGcra', { numberOfKeys: 1, lua: gcraScript })
  client.defineCommand('gatewayAccountDelay', { numberOfKeys: 1, lua: accountDelayScript })
  client.defineCommand('gatewaySettle', { numberOfKeys: 1, lua: settleScript })
  const gauge = new Gauge({
    name: 'gateway_rate_limit_degraded',
    help: '1 while Redis is unreachable and rate limits hold per instance only',
    registers: [options.registry],
  })
  gauge.set(0)
  let degraded: string | undefined

  function degrade(reason: string) {
    if (degraded === undefined) {
      log.warn(
        { reason },
        'Redis unreachable: rate limits hold per gateway instance until it is back',
      )
      gauge.set(1)
    }
    degraded = reason
  }
  function restore() {
    if (degraded === undefined) return
    degraded = undefined
    gauge.set(0)
    log.info('Redis reachable again: rate limits are shared by every instance')
  }
  client.on('error', (error: Error) => degrade(error.message))
  client.on('ready', restore)

  /** Runs `command` on Redis, or `fallback` while it cannot be reached. */
  async function shared<T>(command: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (client.status !== 'ready') {
      degrade(`connection ${client.status}`)
      return fallback()
    }
    try {
      const result = await command()
      restore()
      return result
    } catch (error) {
      degrade(error instanceof Error ? error.message : String(error))
      return fallback()
    }
  }
  const accountArgs = (policy: AccountDelayPolicy) => [
    policy.freeFailures,
    policy.baseDelayMs,
    policy.maxDelayMs,
    policy.windowMs,
  ]

  return {
    async consume(policy: RatePolicy, key: string, cost = 1) {
      if (client.status !== 'ready') {
        degrade(`connection ${client.status}`)
        return fallback.consume(policy, key, cost)
      }
      try {
        const redisKey = `${options.keyPrefix}rl:${policy.name}:${key}`
        const reply = await client.gatewayGcra(redisKey, policy.limit, policy.periodMs, cost)
        const [allowed, remaining, resetMs, retryAfterMs] = reply.map(Number) as GcraReply
        restore()
        return { allowed: allowed === 1, policy, remaining, resetMs, retryAfterMs }
      } catch (error) {
        degrade(error instanceof Error ? error.message : String(error))
        return fallback.consume(policy, key, cost)
      }
    },
    async settle(policy, key, forced, cost) {
      const redisKey = `${options.keyPrefix}rl:${policy.name}:${key}`
      return shared<RateDecision | undefined>(
        async () => {
          const reply = await client.gatewaySettle(
            redisKey,
            policy.limit,
            policy.periodMs,
            forced,
            cost,
          )
          const [allowed, remaining, resetMs, retryAfterMs] = reply.map(Number) as GcraReply
          return { allowed: allowed === 1, policy, remaining, resetMs, retryAfterMs }
        },
        async () => undefined,
      )
    },
    async spendAccountAttempt(policy, key) {
      const redisKey = `${options.keyPrefix}ad:${policy.name}:${key}`
      return shared(
        async () => {
          const reply = await client.gatewayAccountDelay(redisKey, 1, ...accountArgs(policy), 0)
          const [allowed, retryAfterMs, ticket] = reply.map(Number) as AccountReply
          return { allowed: allowed === 1, retryAfterMs, ticket }
        },
        () => fallback.spendAccountAttempt(policy, key),
      )
    },
    async refundAccountAttempt(policy, key, ticket) {
      const redisKey = `${options.keyPrefix}ad:${policy.name}:${key}`
      await shared(
        async () => {
          await client.gatewayAccountDelay(redisKey, -1, ...accountArgs(policy), String(ticket))
        },
        () => fallback.refundAccountAttempt(policy, key, ticket),
      )
    },
    async start() {
      // The 'error' event has said why already; the rejection only says it closed.
      await client.connect().catch((error: Error) => degrade(degraded ?? error.message))
    },
    async close() {
      client.disconnect()
    },
    async readiness() {
      try {
        if (client.status !== 'ready') throw new Error(degraded ?? `connection ${client.status}`)
        await client.ping()
        return undefined
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        return `degraded: per-instance rate limits (Redis: ${reason})`
      }
    },
  }
}
