import { describe, expect, it } from 'vitest'
import type { OrderRecord } from './order.js'
import {
  checkRefund,
  lineShares,
  linePaid,
  receivedLines,
  returnLines,
  unitsShare,
  type RefundRecord,
  type ReturnRecord,
} from './refund.js'

const usd = (amount: number) => ({ amount, currency: 'USD' })

function order(overrides: Partial<OrderRecord> = {}): OrderRecord {
  const at = new Date('2026-12-01T00:00:00Z')
  return {
    id: 'o1',
    userId: 'u1',
    status: 'confirmed',
    lines: [
      // 3 × 1000, 300 off, 540 tax added: pays 3240.
      {
        productId: 'a',
        variantId: 'a',
        name: 'A',
        unitPrice: usd(1000),
        quantity: 3,
        discount: 300,
        tax: 540,
      },
      // 1 × 500, 0 off, 100 tax: pays 600.
      {
        productId: 'b',
        variantId: 'b2',
        name: 'B',
        unitPrice: usd(500),
        quantity: 1,
        discount: 0,
        tax: 100,
      },
    ],
    // 3240 + 600 + 460 shipping.
    total: usd(4300),
    shippingAddress: { name: 'A', line1: 'l', city: 'c', postalCode: 'p', country: 'GB' },
    paymentMethod: { id: 'pm', last4: '4242', brand: 'visa' },
    payment: { status: 'captured', last4: '4242' },
    cancellationReason: null,
    deadlineAt: null,
    paymentAttempt: 1,
    paymentDueBy: null,
    pricing: {
      subtotal: usd(3500),
      discount: usd(300),
      shipping: usd(460),
      tax: usd(640),
      taxInclusive: false,
      shippingMethod: null,
      promotionCode: null,
    },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  }
}

function refund(
  amount: number,
  lines: RefundRecord['lines'] = null,
  status: RefundRecord['status'] = 'requested',
): RefundRecord {
  return {
    id: `r${Math.random()}`,
    orderId: 'o1',
    amount: usd(amount),
    status,
    lines,
    reason: null,
    returnId: null,
    failureReason: null,
    createdBy: 'staff',
    createdAt: new Date(),
    refundedAt: null,
  }
}

describe('line shares', () => {
  it('is the price less the discount, plus tax added on top (not tax included)', () => {
    const o = order()
    expect(linePaid(o, o.lines[0]!)).toBe(3240)
    const inclusive = order({ pricing: { ...o.pricing!, taxInclusive: true } })
    expect(linePaid(inclusive, inclusive.lines[0]!)).toBe(2700)
    // An order from before issue 18: the line's total.
    const old = order({
      pricing: null,
      lines: [{ ...o.lines[0]!, discount: undefined, tax: undefined }],
    })
    expect(linePaid(old, old.lines[0]!)).toBe(3000)
  })

  it('adds up to exactly what the line cost, unit by unit, whatever the rounding', () => {
    // 1000 over 3 units: 333, 334, 333 (cumulative rounding), never 1001 or 999.
    expect([0, 1, 2].map((before) => unitsShare(1000, 3, before, 1))).toEqual([333, 334, 333])
    expect(unitsShare(1000, 3, 0, 3)).toBe(1000)
    expect(unitsShare(1000, 3, 1, 2)).toBe(667)
  })

  it('refunds units of a line by their shares and refuses more units than are left', () => {
    const o = order()
    expect(lineShares(o, [], [{ productId: 'a', quantity: 1 }])).toEqual([
      { productId: 'a', variantId: 'a', quantity: 1, amount: 1080 },
    ])
    // The same line named twice counts once per unit; a variant is named by its id.
    expect(
      lineShares(
        o,
        [],
        [
          { productId: 'a', quantity: 1 },
          { productId: 'a', variantId: 'a', quantity: 1 },
          { productId: 'b', variantId: 'b2', quantity: 1 },
        ],
      ),
    ).toEqual([
      { productId: 'a', variantId: 'a', quantity: 2, amount: 2160 },
      { productId: 'b', variantId: 'b2', quantity: 1, amount: 600 },
    ])
    const earlier = [refund(2160, [{ productId: 'a', variantId: 'a', quantity: 2, amount: 2160 }])]
    expect(lineShares(o, earlier, [{ productId: 'a', quantity: 1 }])[0]!.amount).toBe(1080)
    expect(() => lineShares(o, earlier, [{ productId: 'a', quantity: 2 }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.REFUND_EXCEEDS_QUANTITY' }),
    )
    // A failed refund's units are refundable again.
    const failed = [
      refund(3240, [{ productId: 'a', variantId: 'a', quantity: 3, amount: 3240 }], 'failed'),
    ]
    expect(lineShares(o, failed, [{ productId: 'a', quantity: 3 }])[0]!.amount).toBe(3240)
    expect(() => lineShares(o, [], [{ productId: 'b', quantity: 1 }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.UNKNOWN_LINE' }),
    )
  })
})

describe('never more than captured', () => {
  it('refuses an amount past captured − refunded (failed refunds not counted)', () => {
    const o = order()
    expect(() => checkRefund(o, [], 4300)).not.toThrow()
    expect(() => checkRefund(o, [], 4301)).toThrow(
      expect.objectContaining({ code: 'ORDERS.REFUND_EXCEEDS_CAPTURED' }),
    )
    const some = [refund(4000), refund(200, null, 'refunded'), refund(4300, null, 'failed')]
    expect(() => checkRefund(o, some, 100)).not.toThrow()
    expect(() => checkRefund(o, some, 101)).toThrow(
      expect.objectContaining({ code: 'ORDERS.REFUND_EXCEEDS_CAPTURED' }),
    )
  })

  it('refunds only confirmed or shipped orders, whose payment is captured, and never nothing', () => {
    for (const status of ['pending', 'awaiting_payment', 'payment_failed', 'cancelled'] as const) {
      expect(() => checkRefund(order({ status }), [], 1)).toThrow(
        expect.objectContaining({ code: 'ORDERS.NOT_REFUNDABLE' }),
      )
    }
    expect(() => checkRefund(order({ status: 'shipped' }), [], 1)).not.toThrow()
    expect(() =>
      checkRefund(order({ payment: { status: 'refunded', last4: '4242' } }), [], 1),
    ).toThrow(expect.objectContaining({ code: 'ORDERS.REFUND_EXCEEDS_CAPTURED' }))
    expect(() => checkRefund(order(), [], 0)).toThrow(
      expect.objectContaining({ code: 'ORDERS.EMPTY_REFUND' }),
    )
  })
})

describe('returns', () => {
  const ret = (
    lines: ReturnRecord['lines'],
    status: ReturnRecord['status'] = 'requested',
  ): ReturnRecord => ({
    id: 'ret',
    orderId: 'o1',
    status,
    lines,
    reason: 'too big',
    rejectionReason: null,
    refundId: null,
    createdBy: 'u1',
    deadlineAt: new Date(),
    createdAt: new Date(),
    updatedAt: new Date(),
  })

  it('returns at most the units shipped less those returned or being returned', () => {
    const shipped = order({ status: 'shipped' })
    expect(returnLines(shipped, [], [{ productId: 'a', quantity: 3 }])).toEqual([
      { productId: 'a', variantId: 'a', quantity: 3 },
    ])
    const open = [ret([{ productId: 'a', variantId: 'a', quantity: 2 }])]
    expect(() => returnLines(shipped, open, [{ productId: 'a', quantity: 2 }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.RETURN_EXCEEDS_SHIPPED' }),
    )
    // Rejected and expired returns give their units back; a received one counts what came.
    const ended = [
      ret([{ productId: 'a', variantId: 'a', quantity: 2 }], 'rejected'),
      ret([{ productId: 'a', variantId: 'a', quantity: 2, receivedQuantity: 1 }], 'received'),
    ]
    expect(returnLines(shipped, ended, [{ productId: 'a', quantity: 2 }])).toHaveLength(1)
    // Shipments name what left: only those units.
    const partly = order({
      status: 'shipped',
      shipments: [
        {
          id: 's',
          carrier: 'x',
          trackingNumber: 't',
          status: 'shipped',
          createdAt: new Date(),
          lines: [{ productId: 'a', variantId: 'a', quantity: 1 }],
        },
      ],
    })
    expect(() => returnLines(partly, [], [{ productId: 'a', quantity: 2 }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.RETURN_EXCEEDS_SHIPPED' }),
    )
    expect(() => returnLines(order(), [], [{ productId: 'a', quantity: 1 }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.NOT_RETURNABLE' }),
    )
  })

  it('receives at most the units asked for; a line not named came back with none', () => {
    const r = ret([
      { productId: 'a', variantId: 'a', quantity: 2 },
      { productId: 'b', variantId: 'b2', quantity: 1 },
    ])
    expect(receivedLines(r, [{ productId: 'a', quantity: 1, restock: true }])).toEqual([
      { productId: 'a', variantId: 'a', quantity: 2, receivedQuantity: 1, restock: true },
      { productId: 'b', variantId: 'b2', quantity: 1, receivedQuantity: 0, restock: false },
    ])
    expect(() => receivedLines(r, [{ productId: 'a', quantity: 3, restock: true }])).toThrow(
      expect.objectContaining({ code: 'ORDERS.RECEIVED_EXCEEDS_RETURN' }),
    )
  })
})
