import { pino } from 'pino'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { ClaimedPayment } from './ports.js'
import type { PaymentProcessor } from './process-payments.js'
import { createProcessorLoop, type ProcessorLoop } from './processor-loop.js'

/** A processor whose claims and work the test controls. */
function fakeProcessor() {
  const claims: number[] = []
  const advanced: string[] = []
  const finish = new Map<string, () => void>()
  const processor = {
    claim: async (limit: number) => {
      claims.push(limit)
      return { token: 'loop-token', claimed: [] as ClaimedPayment[] }
    },
    advance: (claimed: ClaimedPayment, token: string) => {
      advanced.push(`${claimed.payment.id}:${token}`)
      return new Promise<void>((resolve) => finish.set(claimed.payment.id, resolve))
    },
  } as unknown as PaymentProcessor
  return { processor, claims, advanced, finish }
}

const payment = (id: string) => ({ payment: { id }, cancelled: false }) as unknown as ClaimedPayment
const silent = pino({ level: 'silent' })
let loop: ProcessorLoop | undefined

afterEach(async () => {
  await loop?.stop()
  loop = undefined
})

describe('the processor loop’s slots for payments claimed in a consumer’s transaction', () => {
  it('holds a slot until the transaction ends: taken, it works on the payment; freed, nothing', async () => {
    const fake = fakeProcessor()
    loop = createProcessorLoop({
      processor: fake.processor,
      intervalMs: 60_000,
      concurrency: 2,
      log: silent,
    })
    loop.start()
    await expect.poll(() => fake.claims).toEqual([2])

    const first = loop.reserve()!
    const second = loop.reserve()!
    expect(first).toBeDefined()
    expect(second).toBeDefined()
    // Both slots held: no third, and the loop's own claim asks for none.
    expect(loop.reserve()).toBeUndefined()
    loop.wake()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(fake.claims).toEqual([2])

    first.take(payment('p1'), 'trx-token')
    expect(fake.advanced).toEqual(['p1:trx-token'])
    // A slot settles once: a second take or free changes nothing.
    first.take(payment('p1-again'), 'trx-token')
    first.free()
    expect(fake.advanced).toEqual(['p1:trx-token'])
    expect(loop.reserve()).toBeUndefined()

    second.free()
    expect(fake.advanced).toEqual(['p1:trx-token'])
    // One slot busy with p1, one free again.
    const third = loop.reserve()
    expect(third).toBeDefined()
    third!.free()
    loop.wake()
    await expect.poll(() => fake.claims).toEqual([2, 1])

    fake.finish.get('p1')!()
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(loop.reserve()).toBeDefined()
  })

  it('holds no slot when it is not running', () => {
    const fake = fakeProcessor()
    loop = createProcessorLoop({ processor: fake.processor, intervalMs: 60_000, log: silent })
    expect(loop.reserve()).toBeUndefined()
  })
})

describe('the processor loop’s claims while nothing is due', () => {
  afterEach(() => vi.useRealTimers())

  it('grows the interval up to the longest while claims find nothing, and is back after a wake-up', async () => {
    vi.useFakeTimers()
    const fake = fakeProcessor()
    loop = createProcessorLoop({
      processor: fake.processor,
      intervalMs: 200,
      maxIntervalMs: 1_000,
      log: silent,
    })
    loop.start()
    await vi.advanceTimersByTimeAsync(10_000)
    // 200, 400, 800 ms and then 1 s apart: about 12 claims in 10 s, not 50.
    expect(fake.claims.length).toBeGreaterThanOrEqual(10)
    expect(fake.claims.length).toBeLessThanOrEqual(13)
    let before = fake.claims.length
    await vi.advanceTimersByTimeAsync(10_000)
    expect(fake.claims.length).toBe(before + 10)

    loop.wake() // a consumer's payment: claims at once, and at the shortest interval again
    await vi.advanceTimersByTimeAsync(0)
    expect(fake.claims.length).toBe(before + 11)
    before = fake.claims.length
    await vi.advanceTimersByTimeAsync(250)
    expect(fake.claims.length).toBe(before + 1)
    await loop.stop()
    loop = undefined
  })
})
