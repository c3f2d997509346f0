import { describe, expect, it } from 'vitest'
import {
  formatLocalDate,
  formatMoney,
  holdLeft,
  parsePrice,
  paymentErrorWords,
  paymentSettling,
  paymentWords,
  priceText,
  reasonWords,
  shopperStatusWords,
  statusWords,
} from './format'

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

  it('says what became of the payment, a refund or a released hold included', () => {
    const card = (status: string) => ({ status, last4: '4242' })
    const confirmed = { status: 'confirmed', cancellationReason: null } as const
    const cancelled = { status: 'cancelled', cancellationReason: 'customer_cancelled' } as const
    expect(paymentWords(card('captured'), confirmed)).toBe('charged')
    expect(paymentWords(card('captured'), cancelled)).toBe('charged; refund under way')
    expect(paymentWords(card('refunded'), cancelled)).toBe('refunded')
    expect(paymentWords(card('declined'), cancelled)).toBe('not charged; the hold was released')
    expect(
      paymentWords(card('declined'), {
        status: 'cancelled',
        cancellationReason: 'payment_declined',
      }),
    ).toBe('declined, not charged')
    expect(paymentSettling({ status: 'cancelled', payment: card('captured') })).toBe(true)
    expect(paymentSettling({ status: 'cancelled', payment: card('authorized') })).toBe(true)
    expect(paymentSettling({ status: 'cancelled', payment: card('refunded') })).toBe(false)
    expect(paymentSettling({ status: 'confirmed', payment: card('captured') })).toBe(false)
  })

  it('tells a shopper a failed payment asks for them, and why, and until when', () => {
    expect(shopperStatusWords.payment_failed).toBe('Payment failed — action needed')
    expect(statusWords.payment_failed).toBe('Payment failed')
    expect(shopperStatusWords.confirmed).toBe(statusWords.confirmed)
    expect(paymentErrorWords('payment_declined')).toBe(
      'Your card was declined. No money was taken.',
    )
    expect(paymentErrorWords('payment_failed')).toBe(
      'The payment could not be completed. No money was taken.',
    )
    // An unknown or missing reason never claims the card was refused.
    expect(paymentErrorWords(undefined)).toBe(paymentErrorWords('payment_failed'))
  })

  it("formats the hold's deadline in the shopper's own locale", () => {
    const due = '2026-12-03T15:30:00.000Z'
    expect(formatLocalDate(due, 'en-US', 'UTC')).toBe('Dec 3, 2026, 3:30 PM')
    expect(formatLocalDate(due, 'de-DE', 'Europe/Berlin')).toBe('03.12.2026, 16:30')
  })

  it('counts down the hold of a failed payment, and ends it at its deadline', () => {
    const due = Date.parse('2026-12-03T15:30:00.000Z')
    const order = { paymentDueBy: '2026-12-03T15:30:00.000Z' }
    expect(holdLeft(order, due - 60_000)).toBe(60_000)
    expect(holdLeft(order, due)).toBe(0)
    expect(holdLeft(order, due + 1)).toBe(0)
    expect(holdLeft({}, due)).toBeUndefined()
    expect(holdLeft({ paymentDueBy: 'not a date' }, due)).toBeUndefined()
  })
})
