import { describe, expect, it } from 'vitest'
import { declineOutcome, mergePaymentStatus } from './payment.js'

describe('payment outcomes', () => {
  it.each([
    ['card_declined', 'declined', 'card_declined'],
    ['insufficient_funds', 'declined', 'insufficient_funds'],
    ['provider_error', 'failed', 'payment_failed'],
    ['order_cancelled', 'declined', undefined],
  ])('a decline for %s: payment %s, order reason %s', (reason, status, cancellation) => {
    expect(declineOutcome(reason)).toEqual({
      paymentStatus: status,
      cancellationReason: cancellation,
    })
  })

  it('never lets a late event undo a refund or a capture', () => {
    expect(mergePaymentStatus(undefined, 'captured')).toBe('captured')
    expect(mergePaymentStatus('captured', 'refunded')).toBe('refunded')
    expect(mergePaymentStatus('refunded', 'captured')).toBe('refunded')
    expect(mergePaymentStatus('captured', 'declined')).toBe('captured')
    expect(mergePaymentStatus('declined', 'declined')).toBe('declined')
  })
})
