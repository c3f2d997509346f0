// Latency at a fixed arrival rate (an open model): requests leave on a fixed schedule whether
// or not earlier ones have been answered, and each latency counts from its scheduled time, so a
// stall shows in the percentiles instead of slowing the senders down (no coordinated omission).
import { Pool } from 'undici'
import { sleep } from './processes.js'

export interface RateOptions {
  paths: string[]
  headers?: Record<string, string>
  /** Requests per second. */
  rate: number
  seconds: number
  warmupSeconds?: number
  /** Most connections open at once (requests beyond wait in the pool, their wait counted). */
  connections?: number
}

export interface RateResult {
  sent: number
  errors: number
  /** Answers per second over the run. */
  rps: number
  /** Latency percentiles, ms. */
  p50: number
  p90: number
  p99: number
  max: number
  /** Every latency, ms, sorted (to merge runs). */
  latencies: number[]
}

export async function atRate(origin: string, options: RateOptions): Promise<RateResult> {
  const pool = new Pool(origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  })
  try {
    if (options.warmupSeconds) await schedule(pool, { ...options, seconds: options.warmupSeconds })
    return await schedule(pool, options)
  } finally {
    await pool.close()
  }
}

async function schedule(pool: Pool, options: RateOptions): Promise<RateResult> {
  const { paths, rate } = options
  const headers = options.headers ?? {}
  const total = Math.round(rate * options.seconds)
  const latencies: number[] = []
  let errors = 0
  const inFlight = new Set<Promise<void>>()
  const started = performance.now()
  let sent = 0
  const fire = (intended: number) => {
    const path = paths[sent % paths.length]!
    const done = pool
      .request({ method: 'GET', path, headers })
      .then(async ({ statusCode, body }) => {
        await body.dump()
        if (statusCode >= 400) errors++
      })
      .catch(() => {
        errors++
      })
      .finally(() => {
        latencies.push(performance.now() - intended)
        inFlight.delete(done)
      })
    inFlight.add(done)
  }
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1)
    while (sent < due) {
      fire(started + (sent * 1000) / rate)
      sent++
    }
    await sleep(1)
  }
  const deadline = Date.now() + 30_000
  while (inFlight.size > 0 && Date.now() < deadline) await Promise.race([...inFlight, sleep(100)])
  const seconds = (performance.now() - started) / 1000
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    Math.round(
      (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0) * 100,
    ) / 100
  return {
    sent,
    errors: errors + inFlight.size,
    rps: Math.round(latencies.length / seconds),
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: at(1),
    latencies,
  }
}
