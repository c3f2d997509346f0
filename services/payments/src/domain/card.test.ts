import { describe, expect, it } from 'vitest'
import { cardBrand, checkCard, last4Of, luhnValid } from './card.js'

const now = new Date('2026-05-15T12:00:00Z')
const card = { cardNumber: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' }

describe('luhn', () => {
  it('accepts the test cards', () => {
    for (const number of [
      '4242424242424242',
      '4000000000000002',
      '4000000000009995',
      '4000000000000119',
      '4000000000000259',
      '5555555555554444',
      '378282246310005',
    ]) {
      expect(luhnValid(number), number).toBe(true)
    }
  })

  it('refuses a wrong check digit, non-digits and empty input', () => {
    expect(luhnValid('4242424242424241')).toBe(false)
    expect(luhnValid('4242 4242 4242 4242')).toBe(false)
    expect(luhnValid('')).toBe(false)
  })
})

describe('brand', () => {
  it('names the networks by prefix', () => {
    expect(cardBrand('4242424242424242')).toBe('visa')
    expect(cardBrand('5555555555554444')).toBe('mastercard')
    expect(cardBrand('2223003122003222')).toBe('mastercard')
    expect(cardBrand('378282246310005')).toBe('amex')
    expect(cardBrand('6011111111111117')).toBe('discover')
    expect(cardBrand('3056930009020004')).toBe('unknown')
  })
})

describe('checkCard', () => {
  it('passes a valid card', () => {
    expect(checkCard(card, now)).toEqual([])
    expect(last4Of(card.cardNumber)).toBe('4242')
  })

  it('reports a Luhn failure at the shopper-facing path', () => {
    expect(checkCard({ ...card, cardNumber: '4242424242424241' }, now)).toEqual([
      { path: '/payment/cardNumber', message: 'is not a valid card number' },
    ])
  })

  it('accepts the current month and refuses past ones', () => {
    expect(checkCard({ ...card, expYear: 2026, expMonth: 5 }, now)).toEqual([])
    expect(checkCard({ ...card, expYear: 2026, expMonth: 4 }, now)).toEqual([
      { path: '/payment/expMonth', message: 'the card has expired' },
    ])
    expect(checkCard({ ...card, expYear: 2025, expMonth: 12 }, now)).toEqual([
      { path: '/payment/expYear', message: 'the card has expired' },
    ])
  })

  it('lists every problem at once', () => {
    const errors = checkCard(
      { cardNumber: '12', expMonth: 13, expYear: 2030, cvc: 'abc' },
      now,
    ).map((e) => e.path)
    expect(errors).toEqual(['/payment/cardNumber', '/payment/cvc', '/payment/expMonth'])
  })
})
