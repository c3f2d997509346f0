import { isAppError } from '@emporium/platform/errors'
import { describe, expect, it } from 'vitest'
import {
  advance,
  canTransition,
  cancel,
  orderStatuses,
  timeoutReason,
  transition,
  type OrderRecord,
  type OrderStatus,
} from './order.js'

const allowed: Array<[OrderStatus, OrderStatus]> = [
  ['pending', 'awaiting_payment'],
  ['pending', 'cancelled'],
  ['awaiting_payment', 'confirmed'],
  ['awaiting_payment', 'cancelled'],
  ['confirmed', 'shipped'],
  ['confirmed', 'cancelled'],
]

// Every other pair of statuses, with the code its refusal carries.
const refused: Array<[OrderStatus, OrderStatus, string]> = orderStatuses
  .flatMap((from) => orderStatuses.map((to) => [from, to] as [OrderStatus, OrderStatus]))
  .filter(([from, to]) => !allowed.some(([f, t]) => f === from && t === to))
  .map(([from, to]) => {
    const code =
      to === 'cancelled' && from === 'cancelled'
        ? 'ORDERS.ALREADY_CANCELLED'
        : to === 'cancelled' && from === 'shipped'
          ? 'ORDERS.ALREADY_SHIPPED'
          : 'ORDERS.INVALID_TRANSITION'
    return [from, to, code]
  })

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (isAppError(error)) return `${error.status} ${error.code}`
    throw error
  }
  return undefined
}

const at = new Date('2026-03-01T10:00:00.000Z')
function order(status: OrderStatus): OrderRecord {
  return {
    id: 'o1',
    userId: 'u1',
    status,
    lines: [
      {
        productId: 'p1',
        variantId: 'p1',
        name: 'Lamp',
        unitPrice: { amount: 500, currency: 'USD' },
        quantity: 2,
      },
    ],
    total: { amount: 1000, currency: 'USD' },
    shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: 'D', country: 'FR' },
    paymentMethod: { id: 'pm1', last4: '4242', brand: 'visa' },
    payment: null,
    cancellationReason: null,
    deadlineAt: at,
    createdAt: at,
    updatedAt: at,
  }
}

describe('order state machine', () => {
  it('has 25 pairs: 6 allowed, 19 refused', () => {
    expect(allowed.length + refused.length).toBe(25)
    expect(refused).toHaveLength(19)
  })

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true)
    expect(transition(from, to)).toBe(to)
  })

  it.each(refused)('refuses %s → %s with 409 %s', (from, to, code) => {
    expect(canTransition(from, to)).toBe(false)
    expect(codeOf(() => transition(from, to))).toBe(`409 ${code}`)
  })

  it.each(allowed.filter(([, to]) => to !== 'cancelled'))(
    'advance %s → %s sets the new deadline and time',
    (from, to) => {
      const later = new Date(at.getTime() + 1000)
      const next = advance(order(from), to as Exclude<OrderStatus, 'cancelled'>, later, later)
      expect(next).toMatchObject({ status: to, deadlineAt: later, updatedAt: later })
    },
  )

  it.each(['pending', 'awaiting_payment', 'confirmed'] as const)(
    'cancel from %s keeps the previous status and clears the deadline',
    (from) => {
      const result = cancel(order(from), 'customer_cancelled', at)
      expect(result.previousStatus).toBe(from)
      expect(result.order).toMatchObject({
        status: 'cancelled',
        cancellationReason: 'customer_cancelled',
        deadlineAt: null,
      })
    },
  )

  it.each([
    ['cancelled', 'ORDERS.ALREADY_CANCELLED'],
    ['shipped', 'ORDERS.ALREADY_SHIPPED'],
  ] as const)('cancel from %s is a 409 %s', (from, code) => {
    expect(codeOf(() => cancel(order(from), 'customer_cancelled', at))).toBe(`409 ${code}`)
  })

  it('names the timeout of each step awaited', () => {
    expect(orderStatuses.map(timeoutReason)).toEqual([
      'stock_timeout',
      'payment_timeout',
      undefined,
      undefined,
      undefined,
    ])
  })
})
