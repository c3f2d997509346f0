import { describe, expect, it } from 'vitest'
import { canonicalJson, fingerprint, idempotencyKeyOf, orderFingerprint } from './idempotency.js'

describe('idempotency keys', () => {
  it('accepts 1 to 255 printable characters', () => {
    expect(idempotencyKeyOf('a')).toBe('a')
    expect(idempotencyKeyOf('x'.repeat(255))).toHaveLength(255)
    expect(idempotencyKeyOf('order 42: retry #1')).toBe('order 42: retry #1')
  })

  it.each([undefined, '', 'x'.repeat(256), 'tab\there', 'é', ['a', 'b']])(
    'refuses %j with a 400',
    (header) => {
      expect(() => idempotencyKeyOf(header as string | undefined)).toThrow(
        expect.objectContaining({ code: 'ORDERS.IDEMPOTENCY_KEY_REQUIRED', status: 400 }),
      )
    },
  )

  it('fingerprints bodies by content, not key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}')
    expect(fingerprint({ a: 1, b: { c: 'x' } })).toBe(fingerprint({ b: { c: 'x' }, a: 1 }))
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }))
    expect(fingerprint({ a: 1 })).toMatch(/^[0-9a-f]{64}$/)
  })

  it('leaves the card number and CVC out of an order fingerprint, keeping last4 and expiry', () => {
    const body = (cardNumber: string, cvc = '123', expYear = 2030) => ({
      shippingAddress: { name: 'A' },
      payment: { cardNumber, expMonth: 1, expYear, cvc },
    })
    const print = orderFingerprint(body('4242424242424242'))
    expect(print).toBe(orderFingerprint(body('4242424242424242', '999')))
    expect(print).not.toBe(orderFingerprint(body('4000000000000002')))
    expect(print).not.toBe(orderFingerprint(body('4242424242424242', '123', 2031)))
    expect(print).not.toBe(fingerprint(body('4242424242424242')))
  })

  it('tells order bodies apart by each field the fingerprint keeps, and by nothing else', () => {
    const base = {
      shippingAddress: { name: 'A', line1: '1 Main St', city: 'Springfield', country: 'US' },
      payment: { cardNumber: '4242424242424242', expMonth: 1, expYear: 2030, cvc: '123' },
    }
    const print = orderFingerprint(base)
    const withPayment = (payment: Partial<typeof base.payment>) =>
      orderFingerprint({ ...base, payment: { ...base.payment, ...payment } })
    expect(withPayment({ expMonth: 2 })).not.toBe(print)
    expect(withPayment({ expYear: 2031 })).not.toBe(print)
    expect(withPayment({ cardNumber: '4242424242421242' })).not.toBe(print) // 4th-last digit
    const address = { ...base.shippingAddress, city: 'Shelbyville' }
    expect(orderFingerprint({ ...base, shippingAddress: address })).not.toBe(print)
    // Another card sharing last4 and expiry is the same request: the number is not kept.
    expect(withPayment({ cardNumber: '5555555555554242', cvc: '999' })).toBe(print)
  })
})
