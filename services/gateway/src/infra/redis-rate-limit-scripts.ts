/*
 * Why a script of our own rather than rate-limiter-flexible's RateLimiterRedis: that class
 * counts in fixed windows (INCR + EXPIRE), which lets a client spend twice its limit across a
 * window's edge — neither the sliding window nor the token bucket the gateway promises. This is
 * domain/gcra.ts (a token bucket kept as one timestamp per client) in Lua, atomic in Redis and
 * timed by Redis's clock, so every replica spends from the same bucket. ARGV: limit, period
 * (ms), cost (1 spends, -1 gives back). Returns {allowed, remaining, resetMs, retryAfterMs}.
 */
export const gcraScript = `
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
export const accountDelayScript = `
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

/*
 * domain/gcra.ts's settleGcra in Lua, for the replicas that decide locally and settle with Redis
 * in batches (synced-rate-limit-store.ts): counts ARGV[3] spends admitted already, whatever the
 * bucket says, then spends ARGV[4] (0 or 1) if it allows. ARGV: limit, period (ms), forced,
 * cost. Returns {allowed, remaining, resetMs, retryAfterMs}; resetMs is the bucket's TAT from
 * Redis's now, which the replica adopts.
 */
export const settleScript = `
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local forced = tonumber(ARGV[3])
local cost = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local interval = period / limit
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
tat = tat + forced * interval
local allowed = 0
local retry = 0
if cost > 0 then
  local nextTat = tat + cost * interval
  if nextTat - period - now > 0.001 then
    retry = math.ceil(nextTat - period - now)
  else
    tat = nextTat
    allowed = 1
  end
end
if tat > now and (forced > 0 or allowed == 1) then
  redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil(tat - now))
end
local remaining = math.floor((now + period - tat) / interval + 0.000001)
if remaining < 0 then remaining = 0 end
return {allowed, remaining, math.ceil(tat - now), retry}
`
