import type { Logger, Registry } from '@emporium/platform'
import { Redis } from 'ioredis'
import { Gauge } from 'prom-client'
import type { RateLimitStore } from '../app/ports.js'
import type { AccountDelayPolicy } from '../domain/account-delay.js'
import type { RatePolicy } from '../domain/gcra.js'

/*
 * Why a script of our own rather than rate-limiter-flexible's RateLimiterRedis: that class
 * counts in fixed windows (INCR + EXPIRE), which lets a client spend twice its limit across a
 * window's edge — neither the sliding window nor the token bucket the gateway promises. This is
 * domain/gcra.ts (a token bucket kept as one timestamp per client) in Lua, atomic in Redis and
 * timed by Redis's clock, so every replica spends from the same bucket. ARGV: limit, period
 * (ms), cost (1 spends, -1 gives back). Returns {allowed, remaining, resetMs, retryAfterMs}.
 */
const gcraScript = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local nextTat = tat + cost * interval
if cost > 0 and nextTat - period - now > 0.001 then
  return {0, 0, math.ceil(tat - now), math.ceil(nextTat - period - now)}
end
if nextTat < now then nextTat = now end
if nextTat > now then
  redis.call('SET', KEYS[1], string.format('%.3f', nextTat), 'PX', math.ceil(nextTat - now))
else
  redis.call('DEL', KEYS[1])
end
return {1, math.floor((now + period - nextTat) / interval + 0.000001), math.ceil(nextTat - now), 0}
`

/*
 * domain/account-delay.ts in Lua (a hash {f: failures, b: blocked until, ms}, its TTL the
 * state's expiry). ARGV: op (1 spends, -1 refunds), free failures, base delay, max delay,
 * window (ms), ticket (a refund's). Returns {allowed, retryAfterMs, ticket}.
 */
const accountDelayScript = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local failures = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
local blocked = tonumber(redis.call('HGET', KEYS[1], 'b') or '0')
if ARGV[1] == '1' then
  if blocked > now then return {0, blocked - now, 0} end
  failures = failures + 1
  local free = tonumber(ARGV[2])
  local delay = 0
  if failures > free then
    delay = math.min(tonumber(ARGV[3]) * 2 ^ (failures - free - 1), tonumber(ARGV[4]))
  end
  blocked = 0
  if delay > 0 then blocked = now + delay end
  redis.call('HSET', KEYS[1], 'f', failures, 'b', string.format('%d', blocked))
  redis.call('PEXPIRE', KEYS[1], math.max(tonumber(ARGV[5]), delay))
  return {1, 0, blocked}
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {1, 0, 0} end
if failures > 0 then failures = failures - 1 end
if string.format('%d', blocked) == ARGV[6] then blocked = 0 end
if failures == 0 and blocked <= now then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'f', failures, 'b', string.format('%d', blocked))
end
return {1, 0, 0}
`

type GcraReply = [number, number, number, number]
type AccountReply = [number, number, number]
type ScriptedRedis = Redis & {
  gatewayGcra(key: string, limit: number, periodMs: number, cost: number): Promise<GcraReply>
  gatewayAccountDelay(key: string, ...args: Array<number | string>): Promise<AccountReply>
}

export interface SharedRateLimitStore extends RateLimitStore {
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
