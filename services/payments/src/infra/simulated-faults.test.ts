import { describe, expect, it } from 'vitest'
import { ProviderTransientError } from '../app/ports.js'
import { createSimulatorFaults, withSimulatedFaults } from './simulated-faults.js'
import { createSimulatedProvider } from './simulated-provider.js'

/** The acquirer's memory as a map, with the overwriting write the outage needs. */
function memoryStore() {
  const entries = new Map<string, string>()
  const counts = new Map<string, number>()
  return {
    entries,
    async read(key: string) {
      return entries.get(key)
    },
    async write(key: string, value: string) {
      entries.set(key, value)
    },
    async writeOnce(key: string, value: string) {
      if (!entries.has(key)) entries.set(key, value)
      return entries.get(key)!
    },
    async increment(key: string) {
      const next = (counts.get(key) ?? 0) + 1
      counts.set(key, next)
      return next
    },
  }
}

const usd = (amount: number) => ({ amount, currency: 'USD' })
const visa = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' }

function setup(draw: () => number) {
  const store = memoryStore()
  let nowMs = Date.parse('2030-01-01T00:00:00Z')
  const faults = createSimulatorFaults({ store, now: () => new Date(nowMs) })
  const provider = withSimulatedFaults(createSimulatedProvider({ store, slowMs: 0 }), {
    faults,
    random: draw,
  })
  return { store, faults, provider, advance: (ms: number) => void (nowMs += ms) }
}

describe('simulated acquirer outages', () => {
  it('refuses every call while errorRate is 1, with no effect, and recovers when it ends', async () => {
    const { faults, provider, store, advance } = setup(() => 0.5)
    const { token } = await provider.tokenize(visa)
    expect(await faults.set({ errorRate: 1, seconds: 10 })).toEqual({
      errorRate: 1,
      lostReplyRate: 0,
      until: '2030-01-01T00:00:10.000Z',
    })
    const request = { idempotencyKey: 'o1:authorize', token, amount: usd(900) }
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(ProviderTransientError)
    await expect(provider.tokenize(visa)).rejects.toThrow(/outage: tokenize refused/)
    // Refused before the acquirer: no result is remembered under the key.
    expect(store.entries.has('op:o1:authorize')).toBe(false)
    advance(10_000)
    expect(await faults.current()).toBeUndefined()
    expect((await provider.authorize(request)).ok).toBe(true)
  })

  it('acts and loses the answer: the retry with the same key gets the same, single capture', async () => {
    const { faults, provider, store } = setup(() => 0.3)
    const { token } = await provider.tokenize(visa)
    const auth = await provider.authorize({ idempotencyKey: 'o2:authorize', token, amount: usd(5) })
    if (!auth.ok) throw new Error('not authorized')
    await faults.set({ errorRate: 0.2, lostReplyRate: 0.2, seconds: 60 })
    const capture = { idempotencyKey: 'o2:capture', authorizationId: auth.authorizationId }
    await expect(provider.capture({ ...capture, amount: usd(5) })).rejects.toThrow(/answer lost/)
    const captured = store.entries.get(`captured:${auth.authorizationId}`)
    expect(captured).toBeDefined()
    await faults.set({ errorRate: 0, seconds: 0 })
    const retried = await provider.capture({ ...capture, amount: usd(5) })
    expect(retried).toEqual({ ok: true, captureId: JSON.parse(captured!).id })
  })

  it('lets a call through when the draw is above both rates, and replaces an outage', async () => {
    const { faults, provider } = setup(() => 0.9)
    await faults.set({ errorRate: 0.5, lostReplyRate: 0.3, seconds: 60 })
    expect((await provider.tokenize(visa)).last4).toBe('4242')
    await faults.set({ errorRate: 0.95, seconds: 60 })
    await expect(provider.tokenize(visa)).rejects.toThrow(/refused/)
    await faults.set({ errorRate: 1, seconds: 0 })
    expect(await faults.current()).toBeUndefined()
    expect((await provider.tokenize(visa)).last4).toBe('4242')
  })
})

describe('the simulated acquirer: a hold is captured or voided, never both', () => {
  it('refuses to void a captured hold, and to capture a voided one', async () => {
    const { provider } = setup(() => 0.5)
    const { token } = await provider.tokenize(visa)
    const first = await provider.authorize({ idempotencyKey: 'a:authorize', token, amount: usd(5) })
    const second = await provider.authorize({
      idempotencyKey: 'b:authorize',
      token,
      amount: usd(5),
    })
    if (!first.ok || !second.ok) throw new Error('not authorized')
    await provider.capture({
      idempotencyKey: 'a:capture',
      authorizationId: first.authorizationId,
      amount: usd(5),
    })
    expect(
      await provider.void({ idempotencyKey: 'a:void', authorizationId: first.authorizationId }),
    ).toEqual({ ok: false, reason: 'already_captured' })
    const voided = await provider.void({
      idempotencyKey: 'b:void',
      authorizationId: second.authorizationId,
    })
    expect(voided.ok).toBe(true)
    expect(
      await provider.capture({
        idempotencyKey: 'b:capture',
        authorizationId: second.authorizationId,
        amount: usd(5),
      }),
    ).toEqual({ ok: false, reason: 'authorization_voided' })
  })
})
