import { describe, expect, it } from 'vitest'
import { createProviderCaller, ProviderTimeoutError } from './call-provider.js'
import { ProviderTransientError } from './ports.js'

function recorder() {
  const sleeps: number[] = []
  return { sleeps, sleep: async (ms: number) => void sleeps.push(ms) }
}

describe('provider calls with retries', () => {
  it('retries transient failures with growing, jittered delays, then succeeds', async () => {
    const { sleeps, sleep } = recorder()
    const call = createProviderCaller({
      maxAttempts: 4,
      baseMs: 100,
      timeoutMs: 1_000,
      sleep,
      random: () => 0.5,
    })
    let calls = 0
    const result = await call({ operation: 'authorize' }, async () => {
      calls += 1
      if (calls < 3) throw new ProviderTransientError('busy')
      return 'auth_1'
    })
    expect(result).toEqual({ ok: true, value: 'auth_1', attempts: 3 })
    expect(sleeps).toEqual([75, 150])
  })

  it('gives up after maxAttempts, never more', async () => {
    const { sleeps, sleep } = recorder()
    const call = createProviderCaller({ maxAttempts: 4, baseMs: 200, timeoutMs: 1_000, sleep })
    let calls = 0
    const result = await call({ operation: 'capture' }, async () => {
      calls += 1
      throw new ProviderTransientError('down')
    })
    expect(calls).toBe(4)
    expect(result.ok).toBe(false)
    expect(result.attempts).toBe(4)
    // No sleep after the last attempt; each within [step/2, step].
    expect(sleeps).toHaveLength(3)
    sleeps.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual((200 * 2 ** i) / 2)
      expect(ms).toBeLessThanOrEqual(200 * 2 ** i)
    })
  })

  it('bounds each attempt by the timeout and counts it as transient', async () => {
    const { sleep } = recorder()
    const call = createProviderCaller({ maxAttempts: 2, baseMs: 0, timeoutMs: 20, sleep })
    let calls = 0
    const result = await call({ operation: 'authorize' }, () => {
      calls += 1
      return new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500))
    })
    expect(calls).toBe(2)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.error).toBeInstanceOf(ProviderTimeoutError)
  })

  it('throws anything else at once', async () => {
    const { sleeps, sleep } = recorder()
    const call = createProviderCaller({ maxAttempts: 4, baseMs: 10, timeoutMs: 1_000, sleep })
    let calls = 0
    await expect(
      call({ operation: 'refund' }, async () => {
        calls += 1
        throw new Error('unknown capture')
      }),
    ).rejects.toThrow('unknown capture')
    expect(calls).toBe(1)
    expect(sleeps).toEqual([])
  })
})
