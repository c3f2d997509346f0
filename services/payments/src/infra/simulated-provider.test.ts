import { describe, expect, it } from 'vitest'
import { ProviderTransientError } from '../app/ports.js'
import { createSimulatedProvider, type AcquirerStore } from './simulated-provider.js'

/** The acquirer's memory as a map (the SQL store is exercised by the integration tests). */
function memoryStore(): AcquirerStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>()
  const counts = new Map<string, number>()
  return {
    entries,
    async read(key) {
      return entries.get(key)
    },
    async writeOnce(key, value) {
      if (!entries.has(key)) entries.set(key, value)
      return entries.get(key)!
    },
    async increment(key) {
      const next = (counts.get(key) ?? 0) + 1
      counts.set(key, next)
      return next
    },
  }
}

const usd = (amount: number) => ({ amount, currency: 'USD' })
const card = (cardNumber: string) => ({ cardNumber, expMonth: 12, expYear: 2099, cvc: '123' })

function setup(slowMs = 0) {
  const store = memoryStore()
  const sleeps: number[] = []
  const provider = createSimulatedProvider({
    store,
    slowMs,
    sleep: async (ms) => void sleeps.push(ms),
  })
  return { store, provider, sleeps }
}

describe('simulated provider: API.md test cards', () => {
  it('approves 4242… and captures, refunds, each once per key', async () => {
    const { provider } = setup()
    const { token, last4, brand } = await provider.tokenize(card('4242424242424242'))
    expect({ last4, brand }).toEqual({ last4: '4242', brand: 'visa' })
    const auth = await provider.authorize({
      idempotencyKey: 'o1:authorize',
      token,
      amount: usd(500),
    })
    expect(auth.ok).toBe(true)
    if (!auth.ok) return
    const capture = {
      idempotencyKey: 'o1:capture',
      authorizationId: auth.authorizationId,
      amount: usd(500),
    }
    const first = await provider.capture(capture)
    expect(first.ok).toBe(true)
    expect(await provider.capture(capture)).toEqual(first)
    // Another key on the same authorization is not a second capture.
    expect(await provider.capture({ ...capture, idempotencyKey: 'other' })).toEqual({
      ok: false,
      reason: 'already_captured',
    })
    if (!first.ok) return
    const refund = { idempotencyKey: 'o1:refund', captureId: first.captureId, amount: usd(500) }
    const refunded = await provider.refund(refund)
    expect(await provider.refund(refund)).toEqual(refunded)
    await expect(provider.refund({ ...refund, idempotencyKey: 'again' })).rejects.toThrow(
      /refunded already/,
    )
  })

  it('declines 4000…0002 (card_declined) and 4000…9995 (insufficient_funds)', async () => {
    const { provider } = setup()
    for (const [number, reason] of [
      ['4000000000000002', 'card_declined'],
      ['4000000000009995', 'insufficient_funds'],
    ] as const) {
      const { token } = await provider.tokenize(card(number))
      const request = { idempotencyKey: `${number}:authorize`, token, amount: usd(100) }
      expect(await provider.authorize(request)).toEqual({ ok: false, reason })
      expect(await provider.authorize(request)).toEqual({ ok: false, reason })
    }
  })

  it('fails 4000…0119 transiently twice per key, then approves', async () => {
    const { provider } = setup()
    const { token } = await provider.tokenize(card('4000000000000119'))
    const request = { idempotencyKey: 'o2:authorize', token, amount: usd(100) }
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(ProviderTransientError)
    await expect(provider.authorize(request)).rejects.toBeInstanceOf(ProviderTransientError)
    const third = await provider.authorize(request)
    expect(third.ok).toBe(true)
    expect(await provider.authorize(request)).toEqual(third)
    // A new order starts its own count.
    await expect(
      provider.authorize({ ...request, idempotencyKey: 'o3:authorize' }),
    ).rejects.toBeInstanceOf(ProviderTransientError)
  })

  it('answers 4000…0259 after the slow delay, a replay at once', async () => {
    const { provider, sleeps } = setup(1234)
    const { token } = await provider.tokenize(card('4000000000000259'))
    const request = { idempotencyKey: 'o4:authorize', token, amount: usd(100) }
    const first = await provider.authorize(request)
    expect(first.ok).toBe(true)
    expect(sleeps).toEqual([1234])
    expect(await provider.authorize(request)).toEqual(first)
    expect(sleeps).toEqual([1234])
  })

  it('approves any other valid card', async () => {
    const { provider } = setup()
    const { token, brand } = await provider.tokenize(card('5555555555554444'))
    expect(brand).toBe('mastercard')
    const result = await provider.authorize({
      idempotencyKey: 'o5:authorize',
      token,
      amount: usd(1),
    })
    expect(result.ok).toBe(true)
  })

  it('never keeps the number, and refuses a key reused for another request', async () => {
    const { provider, store } = setup()
    const { token } = await provider.tokenize(card('4242424242424242'))
    await provider.authorize({ idempotencyKey: 'o6:authorize', token, amount: usd(100) })
    await expect(
      provider.authorize({ idempotencyKey: 'o6:authorize', token, amount: usd(999) }),
    ).rejects.toThrow(/different request/)
    const everything = JSON.stringify([...store.entries])
    expect(everything).not.toContain('4242424242424242')
    expect(everything).not.toContain('"123"')
  })

  it('declines an unknown token and refuses an unknown authorization', async () => {
    const { provider } = setup()
    expect(
      await provider.authorize({ idempotencyKey: 'x:authorize', token: 'nope', amount: usd(1) }),
    ).toEqual({ ok: false, reason: 'invalid_payment_method' })
    expect(
      await provider.capture({
        idempotencyKey: 'x:capture',
        authorizationId: 'nope',
        amount: usd(1),
      }),
    ).toEqual({ ok: false, reason: 'authorization_not_found' })
  })
})
