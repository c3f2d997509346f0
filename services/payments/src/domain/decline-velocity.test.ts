import { describe, expect, it } from 'vitest'
import { cardFingerprint, declineBackoffMs } from './decline-velocity.js'

describe('declineBackoffMs', () => {
  const now = new Date('2026-05-01T12:00:00.000Z')
  const ago = (ms: number) => new Date(now.getTime() - ms)
  const hour = 3_600_000

  it('allows an attempt below the limit', () => {
    expect(declineBackoffMs([], 3, hour, now)).toBeUndefined()
    expect(declineBackoffMs([ago(1), ago(2)], 3, hour, now)).toBeUndefined()
  })

  it('refuses at the limit until the limit-th newest decline leaves the window', () => {
    const times = [ago(1_000), ago(10_000), ago(20 * 60_000), ago(50 * 60_000)]
    // Three allowed: the third newest (20 min ago) must leave the hour: 40 min from now.
    expect(declineBackoffMs(times, 3, hour, now)).toBe(40 * 60_000)
    expect(declineBackoffMs(times, 1, hour, now)).toBe(hour - 1_000)
    expect(declineBackoffMs(times, 3, hour, new Date(now.getTime() + 40 * 60_000))).toBeUndefined()
  })
})

describe('cardFingerprint', () => {
  it('is a keyed hash: stable per secret, different under another, never the number', () => {
    const a = cardFingerprint('secret-one-secret-one', '4000000000000002')
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(cardFingerprint('secret-one-secret-one', '4000000000000002')).toBe(a)
    expect(cardFingerprint('secret-two-secret-two', '4000000000000002')).not.toBe(a)
    expect(cardFingerprint('secret-one-secret-one', '4242424242424242')).not.toBe(a)
    expect(a).not.toContain('4000000000000002')
  })
})
