import { describe, expect, it } from 'vitest'
import { shopperCancellation, staffCancellation, staffCancelReasons } from './cancellation'

describe('cancellation wording', () => {
  it('tells staff who cancelled, never "You cancelled"', () => {
    expect(staffCancellation('customer_cancelled')).toBe('The customer cancelled this order.')
    expect(staffCancellation('admin_cancelled')).toBe('Cancelled by staff.')
    expect(staffCancellation('fraud_suspected')).toBe('Cancelled by staff: fraud suspected.')
    expect(staffCancellation('payment_declined')).toBe(
      'The card was declined; nothing was charged.',
    )
    for (const code of [...staffCancelReasons, 'customer_cancelled', 'admin_cancelled']) {
      expect(staffCancellation(code)).not.toMatch(/\byou\b/i)
    }
  })

  it('tells the shopper what it means for them', () => {
    expect(shopperCancellation('customer_cancelled')).toBe('You cancelled this order.')
    expect(shopperCancellation('admin_cancelled')).toBe('The shop cancelled this order.')
    expect(shopperCancellation('customer_request')).toBe(
      'The shop cancelled this order at your request.',
    )
    expect(shopperCancellation('out_of_stock')).toBe('Some items were out of stock.')
  })

  it('words every reason staff can pick, differently for each side', () => {
    for (const code of staffCancelReasons) {
      expect(staffCancellation(code)).not.toMatch(/^Cancelled \(/)
      expect(shopperCancellation(code)).not.toMatch(/^Cancelled \(/)
      expect(staffCancellation(code)).not.toBe(shopperCancellation(code))
    }
  })

  it('keeps a suspicion and the staff note from the shopper', () => {
    expect(shopperCancellation('fraud_suspected')).not.toMatch(/fraud/i)
    expect(staffCancellation('other', 'Duplicate of order 1002')).toBe(
      'Cancelled by staff (other reason). Note: Duplicate of order 1002',
    )
    expect(staffCancellation('other', '   ')).toBe('Cancelled by staff (other reason).')
  })

  it('names a reason it does not know, and none', () => {
    expect(staffCancellation('some_new_reason')).toBe('Cancelled (some new reason).')
    expect(shopperCancellation('some_new_reason')).toBe('Cancelled (some new reason).')
    expect(staffCancellation(null)).toBe('Cancelled.')
    expect(shopperCancellation(undefined)).toBe('Cancelled.')
  })
})
