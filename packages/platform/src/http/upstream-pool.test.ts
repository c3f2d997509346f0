import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { AppError } from '../errors.js'
import { createMetricsRegistry, type Registry } from '../metrics.js'
import { isOpenCircuit } from './upstream-breaker.js'
import { createUpstreamPool, type UpstreamPoolOptions } from './upstream-pool.js'

const log = pino({ level: 'silent' })
class Fault extends Error {}

let registry: Registry
beforeEach(() => {
  registry = createMetricsRegistry('test', { processMetrics: false })
  vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] })
})
afterEach(() => {
  vi.useRealTimers()
})

function pool(options: Partial<UpstreamPoolOptions> = {}) {
  return createUpstreamPool({
    upstream: 'catalog',
    instances: ['http://a', 'http://b', 'http://c'],
    ejectForMs: 5_000,
    breaker: { failureRatio: 0.5, windowMs: 10_000, minimumCalls: 4, halfOpenAfterMs: 3_000 },
    isFault: (error) => error instanceof Fault,
    metricPrefix: 'http_client',
    registry,
    log,
    ...options,
  })
}

async function gauge(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const values = (await registry.getSingleMetric(name)?.get())?.values ?? []
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value
}

const picks = (p: ReturnType<typeof pool>, n: number) => Array.from({ length: n }, () => p.next())

describe('upstream pool: instances', () => {
  it('uses the instances in turn', () => {
    expect(picks(pool(), 5)).toEqual(['http://a', 'http://b', 'http://c', 'http://a', 'http://b'])
  })

  it('leaves an ejected instance out until its time is up, then uses it again', () => {
    const p = pool()
    p.eject('http://b')
    expect(picks(p, 4)).toEqual(['http://a', 'http://c', 'http://a', 'http://c'])
    vi.advanceTimersByTime(5_001)
    expect(picks(p, 3)).toEqual(['http://a', 'http://b', 'http://c'])
  })

  it('puts a readmitted instance back at once', () => {
    const p = pool()
    p.eject('http://b')
    p.readmit('http://b')
    expect(picks(p, 3)).toEqual(['http://a', 'http://b', 'http://c'])
  })

  it('skips the instances already tried, and says so once all were', () => {
    const p = pool()
    const tried = new Set(['http://a', 'http://b'])
    expect(p.next(tried)).toBe('http://c')
    tried.add('http://c')
    expect(p.next(tried)).toBeUndefined()
  })

  it('when all are out, probes the one whose time ends first rather than refusing', () => {
    const p = pool()
    p.eject('http://b')
    vi.advanceTimersByTime(10)
    p.eject('http://c')
    vi.advanceTimersByTime(10)
    p.eject('http://a')
    expect(p.next()).toBe('http://b')
    expect(p.next(new Set(['http://b']))).toBe('http://c')
    // A lone instance is always called: the breaker alone guards it.
    const lone = pool({ instances: ['http://only'] })
    lone.eject('http://only')
    expect(lone.next()).toBe('http://only')
  })

  it('exports whether each instance is in the rotation under the prefix', async () => {
    const p = pool({ metricPrefix: 'gateway_upstream' })
    expect(await gauge('gateway_upstream_instance_up', { instance: 'http://a' })).toBe(1)
    p.eject('http://a')
    expect(await gauge('gateway_upstream_instance_up', { instance: 'http://a' })).toBe(0)
    // Its time being up does not say it is well: only an answer does.
    vi.advanceTimersByTime(5_001)
    expect(await gauge('gateway_upstream_instance_up', { instance: 'http://a' })).toBe(0)
    p.readmit('http://a')
    expect(await gauge('gateway_upstream_instance_up', { instance: 'http://a' })).toBe(1)
    expect(registry.getSingleMetric('http_client_instance_up')).toBeUndefined()
  })

  it('shares its metrics with the other pools of the registry', async () => {
    pool()
    const orders = pool({ upstream: 'orders', instances: ['http://o'] })
    orders.eject('http://o')
    expect(await gauge('http_client_instance_up', { upstream: 'catalog' })).toBe(1)
    expect(await gauge('http_client_instance_up', { upstream: 'orders' })).toBe(0)
    expect(await gauge('http_client_breaker_state', { upstream: 'orders' })).toBe(0)
  })

  it('says when an instance that failed is tried again, in whole seconds', () => {
    expect(pool({ ejectForMs: 1_000 }).ejectForSeconds()).toBe(1)
    expect(pool({ ejectForMs: 1_500 }).ejectForSeconds()).toBe(2)
    expect(pool({ ejectForMs: 0 }).ejectForSeconds()).toBe(1)
  })
})

describe('upstream pool: breaker', () => {
  const fail = (error: Error) => async () => {
    throw error
  }
  const ok = async () => 'ok'

  it('opens on a ratio of faults over the minimum of calls, and refuses with circuit_open', async () => {
    const p = pool()
    await p.breaker.execute(ok)
    await p.breaker.execute(ok)
    await expect(p.breaker.execute(fail(new Fault()))).rejects.toBeInstanceOf(Fault)
    await expect(p.breaker.execute(fail(new Fault()))).rejects.toBeInstanceOf(Fault)
    // 2 of 4 failed: not above half.
    expect(await gauge('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    await expect(p.breaker.execute(fail(new Fault()))).rejects.toBeInstanceOf(Fault)
    expect(await gauge('http_client_breaker_state', { upstream: 'catalog' })).toBe(2)
    const refused = await p.breaker.execute(ok).catch((error: unknown) => error)
    expect(isOpenCircuit(refused)).toBe(true)
    expect(p.retryAfterSeconds()).toBe(3)
    const error = p.openCircuitError('catalog is unavailable')
    expect(error).toBeInstanceOf(AppError)
    expect(error).toMatchObject({
      code: 'UPSTREAM.UNAVAILABLE',
      status: 503,
      details: { upstream: 'catalog', reason: 'circuit_open', retryAfterSeconds: 3 },
    })
  })

  it('does not count errors that are not faults (a bug upstream, the caller giving up)', async () => {
    const p = pool()
    for (let i = 0; i < 10; i++) {
      await expect(p.breaker.execute(fail(new Error('500')))).rejects.toThrow('500')
    }
    expect(await gauge('http_client_breaker_state', { upstream: 'catalog' })).toBe(0)
    expect(await p.breaker.execute(ok)).toBe('ok')
  })
})
