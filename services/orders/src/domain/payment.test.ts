import { describe, expect, it } from 'vitest'
import { declineOutcome, mergePaymentStatus } from './payment.js'

describe('payment outcomes', () => {
  it.each([
    ['card_declined', 'declined', 'payment_declined', 'card_declined'],
    ['insufficient_funds', 'declined', 'payment_declined', 'insufficient_funds'],
    ['do_not_honor', 'declined', 'payment_declined', 'do_not_honor'],
    ['provider_error', 'failed', 'payment_failed', 'provider_error'],
    ['order_cancelled', 'declined', undefined, undefined],
  ])(
    'a decline for %s: payment %s, order reason %s, admins see %s',
    (reason, status, cancellation, precise) => {
      expect(declineOutcome(reason)).toEqual({
        paymentStatus: status,
        cancellationReason: cancellation,
        declineReason: precise,
      })
    },
  )

  it('never lets a late event undo a refund or a capture', () => {
    expect(mergePaymentStatus(undefined, 'captured')).toBe('captured')
    expect(mergePaymentStatus('captured', 'refunded')).toBe('refunded')
    expect(mergePaymentStatus('refunded', 'captured')).toBe('refunded')
    expect(mergePaymentStatus('captured', 'declined')).toBe('captured')
    expect(mergePaymentStatus('declined', 'declined')).toBe('declined')
  })
})
