import { describe, expect, it } from 'vitest'
import {
  describeReason,
  formatMoney,
  orderCancelledMessage,
  orderConfirmedMessage,
  orderShippedMessage,
  passwordResetMessage,
  paymentRefundedMessage,
  shipmentCreatedMessage,
  staffInvitationMessage,
  webhookEndpointDisabledMessage,
  Template,
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

  describe('order confirmation with the totals breakdown (issue 18)', () => {
    const tee = (currency: string, amount: number) => ({
      name: 'Tee',
      variantLabel: 'M / Blue',
      unitPrice: { amount, currency },
      quantity: 2,
    })

    it('lists subtotal, discount with its code, shipping with its method, tax and total', () => {
      const message = orderConfirmedMessage(
        {
          orderId: 'o-10',
          lines: [tee('USD', 2000)],
          subtotal: usd(4000),
          discount: usd(400),
          promotionCode: 'SAVE10',
          shipping: usd(500),
          shippingMethod: { name: 'Standard', carrier: 'UPS' },
          tax: usd(328),
          taxInclusive: false,
          total: usd(4428),
        },
        'Ada',
        'https://shop.example/orders/o-10',
      )
      expect(message.text).toContain('2 × Tee (M / Blue) at $20.00 = $40.00')
      expect(message.text).toContain(
        [
          'Subtotal: $40.00',
          'Discount (SAVE10): −$4.00',
          'Shipping (Standard, UPS): $5.00',
          'Tax: $3.28',
          'Total: $44.28',
        ].join('\n'),
      )
      expect(message.text).not.toContain('incl.')
      expect(message.text).toContain('See your order at any time: https://shop.example/orders/o-10')
    })

    it('says the tax is included when the prices include it, and free shipping as such', () => {
      const message = orderConfirmedMessage({
        orderId: 'o-11',
        lines: [tee('EUR', 1200)],
        subtotal: { amount: 2400, currency: 'EUR' },
        shipping: { amount: 0, currency: 'EUR' },
        shippingMethod: { name: 'Pickup', carrier: 'Shop' },
        tax: { amount: 400, currency: 'EUR' },
        taxInclusive: true,
        total: { amount: 2400, currency: 'EUR' },
      })
      expect(message.text).toContain('Tax (incl. in the prices): €4.00')
      expect(message.text).not.toMatch(/^Tax: /m)
      expect(message.text).toContain('Shipping (Pickup, Shop): free')
      // No discount, no line for it.
      expect(message.text).not.toContain('Discount')
      expect(message.text).toContain('Total: €24.00')
    })

    it('shows each currency with its own minor units: 0 (JPY), 2 (USD), 3 (KWD)', () => {
      const yen = orderConfirmedMessage({
        orderId: 'o-12',
        lines: [tee('JPY', 1500)],
        subtotal: { amount: 3000, currency: 'JPY' },
        shipping: { amount: 800, currency: 'JPY' },
        tax: { amount: 380, currency: 'JPY' },
        total: { amount: 4180, currency: 'JPY' },
      })
      expect(yen.text).toContain('2 × Tee (M / Blue) at ¥1,500 = ¥3,000')
      expect(yen.text).toContain('Shipping: ¥800')
      expect(yen.text).toContain('Total: ¥4,180')
      const dinar = orderConfirmedMessage({
        orderId: 'o-13',
        lines: [tee('KWD', 1250)],
        subtotal: { amount: 2500, currency: 'KWD' },
        discount: { amount: 125, currency: 'KWD' },
        tax: { amount: 5, currency: 'KWD' },
        total: { amount: 2380, currency: 'KWD' },
      })
      // Intl puts a no-break space between a currency code and the amount.
      const text = dinar.text.replaceAll('\u00a0', ' ')
      expect(text).toContain('at KWD 1.250 = KWD 2.500')
      expect(text).toContain('Discount: −KWD 0.125')
      expect(text).toContain('Tax: KWD 0.005')
      expect(text).toContain('Total: KWD 2.380')
      expect(formatMoney({ amount: 4428, currency: 'USD' })).toBe('$44.28')
    })

    it('shows the total alone for an event from before the breakdown, and no link without one', () => {
      const message = orderConfirmedMessage({ orderId: 'o-14', lines: [], total: usd(100) })
      expect(message.text).not.toMatch(/Subtotal|Shipping|Tax|See your order/)
      expect(message.text).toContain('Total: $1.00')
    })

    it('puts a guest’s link in the e-mail', () => {
      const message = orderConfirmedMessage(
        { orderId: 'o-15', lines: [tee('USD', 100)], total: usd(200) },
        undefined,
        'https://shop.example/order-links/tok.en',
      )
      expect(message.text).toMatch(/^Hello,\n/)
      expect(message.text).toContain(
        'See your order at any time: https://shop.example/order-links/tok.en',
      )
    })
  })

  it('tells of a parcel: carrier, tracking number, items, and whether more follow', () => {
    const partial = shipmentCreatedMessage(
      {
        orderId: 'o-20',
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        lines: [
          { name: 'Tee', variantLabel: 'M / Blue', quantity: 1 },
          { name: 'item v-9', quantity: 2 },
        ],
        complete: false,
      },
      'Ada',
      'https://shop.example/orders/o-20',
    )
    expect(partial.template).toBe('shipment_created')
    expect(partial.subject).toBe('A parcel of your Emporium order o-20 is on its way')
    expect(partial.text).toContain('Carrier: UPS\nTracking number: 1Z999AA10123456784')
    expect(partial.text).toContain('  1 × Tee (M / Blue)\n  2 × item v-9')
    expect(partial.text).toContain('The rest of your order follows')
    expect(partial.text).toContain('https://shop.example/orders/o-20')
    const last = shipmentCreatedMessage({
      orderId: 'o-20',
      carrier: 'DHL',
      trackingNumber: 'JD0002',
      lines: [{ name: 'Mug', quantity: 1 }],
      complete: true,
    })
    expect(last.text).toContain('This completes your order.')
    expect(last.text).not.toContain('See your order')
  })
})

describe('the staff invitation message (issue 19)', () => {
  it('carries the link, the role and its expiry', () => {
    const message = staffInvitationMessage({
      acceptUrl: 'https://shop.example/staff/accept#token=abc',
      expiresAt: '2030-01-08T00:00:00.000Z',
      role: 'catalog_manager',
      invitedBy: 'Olive',
    })
    expect(message.template).toBe(Template.staffInvitation)
    expect(message.text).toContain('https://shop.example/staff/accept#token=abc')
    expect(message.text).toContain('Olive invited you')
    expect(message.text).toContain('as catalog manager')
    expect(message.text).toContain('2030-01-08T00:00:00.000Z')
    // Fits the messages table's template column.
    expect(message.template.length).toBeLessThanOrEqual(32)
  })
})

describe('the disabled webhook endpoint message (issue 21)', () => {
  it('names the endpoint, since when it failed and how to turn it back on', () => {
    const message = webhookEndpointDisabledMessage(
      {
        endpointId: 'we-1',
        url: 'https://partner.example/hooks',
        failingSince: '2030-01-01T00:00:00.000Z',
      },
      'Olive',
    )
    expect(message.template).toBe(Template.webhookEndpointDisabled)
    expect(message.text).toMatch(/^Hello Olive,/)
    expect(message.text).toContain('https://partner.example/hooks')
    expect(message.text).toContain('2030-01-01T00:00:00.000Z')
    expect(message.text).toContain('enable the endpoint')
    expect(message.template.length).toBeLessThanOrEqual(32)
  })
})
