import { isAppError } from '@emporium/platform/errors'
import { describe, expect, it } from 'vitest'
import {
  advance,
  canTransition,
  cancel,
  failPayment,
  orderStatuses,
  retryPayment,
  retryRefusal,
  timeoutReason,
  transition,
  type OrderRecord,
  type OrderStatus,
} from './order.js'

const allowed: Array<[OrderStatus, OrderStatus]> = [
  ['pending', 'awaiting_payment'],
  ['pending', 'cancelled'],
  ['awaiting_payment', 'confirmed'],
  ['awaiting_payment', 'payment_failed'],
  ['awaiting_payment', 'cancelled'],
  ['payment_failed', 'awaiting_payment'],
  ['payment_failed', 'cancelled'],
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
    paymentAttempt: 1,
    paymentDueBy: null,
    createdAt: at,
    updatedAt: at,
  }
}

describe('order state machine', () => {
  it('has 36 pairs: 9 allowed, 27 refused', () => {
    expect(allowed.length + refused.length).toBe(36)
    expect(refused).toHaveLength(27)
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

  it.each(['pending', 'awaiting_payment', 'payment_failed', 'confirmed'] as const)(
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
    expect(orderStatuses.map((status) => timeoutReason(status))).toEqual([
      'stock_timeout',
      'payment_timeout',
      'payment_declined',
      undefined,
      undefined,
      undefined,
    ])
    // A payment_failed order at its deadline ends as its last decline said.
    expect(timeoutReason('payment_failed', 'card_declined')).toBe('payment_declined')
    expect(timeoutReason('payment_failed', 'provider_error')).toBe('payment_failed')
  })
})

describe('a decline is not the end (payment_failed and retries)', () => {
  const dueBy = new Date(at.getTime() + 600_000)
  const awaiting = { ...order('awaiting_payment'), paymentDueBy: dueBy }

  it('a decline leaves the order payment_failed until its payment deadline', () => {
    const later = new Date(at.getTime() + 1000)
    const failed = failPayment(awaiting, 'card_declined', later)
    expect(failed).toMatchObject({
      status: 'payment_failed',
      declineReason: 'card_declined',
      deadlineAt: dueBy,
      paymentDueBy: dueBy,
      paymentAttempt: 1,
      updatedAt: later,
    })
  })

  it('only an awaiting order fails its payment', () => {
    for (const status of [
      'pending',
      'payment_failed',
      'confirmed',
      'shipped',
      'cancelled',
    ] as const) {
      expect(codeOf(() => failPayment(order(status), 'card_declined', at))).toMatch(/^409 /)
    }
  })

  it('a retry: back to awaiting_payment with the next attempt, the new card, no payment known', () => {
    const failed = {
      ...failPayment(awaiting, 'card_declined', at),
      payment: { status: 'declined' as const, last4: '0002' },
    }
    const later = new Date(at.getTime() + 2000)
    const deadline = new Date(at.getTime() + 62_000)
    const retried = retryPayment(
      failed,
      { id: 'pm2', last4: '4444', brand: 'mastercard' },
      later,
      deadline,
    )
    expect(retried).toMatchObject({
      status: 'awaiting_payment',
      paymentAttempt: 2,
      paymentMethod: { id: 'pm2', last4: '4444', brand: 'mastercard' },
      payment: null,
      declineReason: null,
      deadlineAt: deadline,
      paymentDueBy: dueBy,
    })
  })

  it('a retry is refused from any other status, and past the deadline', () => {
    const failed = failPayment(awaiting, 'card_declined', at)
    expect(retryRefusal(failed, at)).toBeUndefined()
    expect(retryRefusal(failed, dueBy)).toMatch(/deadline/)
    for (const status of orderStatuses.filter((s) => s !== 'payment_failed')) {
      expect(retryRefusal({ ...failed, status }, at)).toMatch(/this one is/)
      expect(
        codeOf(() => retryPayment({ ...failed, status }, failed.paymentMethod, at, at)),
      ).toMatch(/^409 /)
    }
  })
})
