import { describe, expect, it } from 'vitest'
import {
  describeReason,
  formatMoney,
  orderCancelledMessage,
  orderConfirmedMessage,
  orderShippedMessage,
  passwordResetMessage,
  paymentRefundedMessage,
} from './message-templates.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

describe('message templates', () => {
  it('formats minor units with the currency’s decimals', () => {
    expect(formatMoney(usd(1999))).toBe('$19.99')
    expect(formatMoney(usd(0))).toBe('$0.00')
    expect(formatMoney({ amount: 1200, currency: 'JPY' })).toBe('¥1,200')
    expect(formatMoney({ amount: 1050, currency: 'EUR' })).toBe('€10.50')
    // Again, from the kept formats: the same answers.
    expect(formatMoney(usd(1999))).toBe('$19.99')
    expect(formatMoney({ amount: 1200, currency: 'JPY' })).toBe('¥1,200')
  })

  it('shows a currency Intl does not know as two decimals and its code, every time', () => {
    expect(formatMoney({ amount: 1999, currency: 'X1' })).toBe('19.99 X1')
    expect(formatMoney({ amount: 5, currency: 'X1' })).toBe('0.05 X1')
  })

  it('confirms an order with its lines and total', () => {
    const message = orderConfirmedMessage(
      {
        orderId: 'o-1',
        lines: [
          { name: 'Desk lamp', unitPrice: usd(1999), quantity: 2 },
          { name: 'Mug', unitPrice: usd(850), quantity: 1 },
          { name: 'Tee', variantLabel: 'M / Blue', unitPrice: usd(1999), quantity: 1 },
        ],
        total: usd(6847),
      },
      'Ada',
    )
    expect(message.template).toBe('order_confirmed')
    expect(message.subject).toBe('Your Emporium order o-1 is confirmed')
    expect(message.text).toContain('Hello Ada,')
    expect(message.text).toContain('2 × Desk lamp at $19.99 = $39.98')
    expect(message.text).toContain('1 × Mug at $8.50 = $8.50')
    // A variant is named after its product.
    expect(message.text).toContain('1 × Tee (M / Blue) at $19.99 = $19.99')
    expect(message.text).toContain('Total: $68.47')
  })

  it('greets without a name when none is known', () => {
    expect(orderShippedMessage({ orderId: 'o-2' }).text).toMatch(/^Hello,\n/)
    expect(orderShippedMessage({ orderId: 'o-2' }, '  ').text).toMatch(/^Hello,\n/)
  })

  it('gives the reason of a cancellation, and the refund when it was paid', () => {
    const unpaid = orderCancelledMessage({
      orderId: 'o-3',
      reason: 'payment_declined',
      previousStatus: 'awaiting_payment',
      total: usd(500),
    })
    expect(unpaid.template).toBe('order_cancelled')
    expect(unpaid.text).toContain('was cancelled: your payment was declined.')
    // Reasons of orders cancelled before the generic one never say which decline it was.
    for (const reason of ['card_declined', 'insufficient_funds']) {
      const older = orderCancelledMessage({
        orderId: 'o-3',
        reason,
        previousStatus: 'awaiting_payment',
        total: usd(500),
      })
      expect(older.text).toContain('was cancelled: your payment was declined.')
      expect(older.text).not.toMatch(/insufficient|card_declined/)
    }
    expect(unpaid.text).toContain('Nothing was charged.')
    const paid = orderCancelledMessage({
      orderId: 'o-3',
      reason: 'customer_cancelled',
      previousStatus: 'confirmed',
      total: usd(500),
    })
    expect(paid.text).toContain('The $5.00 you paid will be refunded')
  })

  it('shows an unknown reason code as words', () => {
    expect(describeReason('warehouse_on_fire')).toBe('warehouse on fire')
  })

  it('tells of a shipment and of a refund', () => {
    expect(orderShippedMessage({ orderId: 'o-4' }, 'Bo')).toMatchObject({
      template: 'order_shipped',
      subject: 'Your Emporium order o-4 has shipped',
    })
    const refund = paymentRefundedMessage({ orderId: 'o-5', amount: usd(4848), last4: '4242' })
    expect(refund.template).toBe('payment_refunded')
    expect(refund.text).toContain('refunded $48.48 for your order o-5 to the card ending in 4242')
  })

  it('sends the password reset link, its expiry and what to do when it was not asked for', () => {
    const message = passwordResetMessage(
      {
        resetUrl: 'https://shop.example/reset-password#token=abc',
        expiresAt: '2030-01-01T01:00:00.000Z',
      },
      'Ada',
    )
    expect(message.template).toBe('password_reset')
    expect(message.subject).toBe('Reset your Emporium password')
    expect(message.text).toMatch(/^Hello Ada,/)
    expect(message.text).toContain('\nhttps://shop.example/reset-password#token=abc\n')
    expect(message.text).toContain('until 2030-01-01T01:00:00.000Z')
    expect(message.text).toContain('If you did not ask for this')
  })
})
