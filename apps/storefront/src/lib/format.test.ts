import { describe, expect, it } from 'vitest'
import { formatMoney, parsePrice, priceText, reasonWords } from './format'

describe('money', () => {
  it('formats minor units and reads typed prices back', () => {
    expect(formatMoney({ amount: 111897, currency: 'USD' })).toBe('$1,118.97')
    expect(formatMoney({ amount: 500, currency: 'JPY' })).toBe('¥500')
    expect(parsePrice('19.99')).toBe(1999)
    expect(parsePrice(' 7 ')).toBe(700)
    expect(parsePrice('0,5')).toBe(50)
    for (const bad of ['', 'abc', '-1', '1.999', '1e3']) expect(parsePrice(bad)).toBeUndefined()
    expect(priceText({ amount: 2450, currency: 'USD' })).toBe('24.50')
  })

  it('puts cancellation reasons in words, unknown ones included', () => {
    expect(reasonWords('payment_declined')).toBe('Your payment was declined. No money was taken.')
    // Older orders' precise reasons read the same: never which decline it was.
    expect(reasonWords('insufficient_funds')).toBe(reasonWords('payment_declined'))
    expect(reasonWords('some_new_reason')).toBe('Cancelled (some new reason).')
    expect(reasonWords(null)).toBe('Cancelled.')
  })
})
