import { orders } from '@emporium/contracts'
import { describe, expect, it } from 'vitest'
import {
  advances,
  isTerminal,
  project,
  terminalStatuses,
  type OrderStatus,
  type StatusFact,
} from './order-status.js'

const fact = (status: OrderStatus, reason: string | null = null): StatusFact => ({
  orderId: 'o1',
  userId: 'u1',
  status,
  cancellationReason: reason,
  at: '2026-01-01T00:00:00.000Z',
})

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]]
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  )
}

describe('order status projection', () => {
  it('agrees with the contracts on the terminal statuses, confirmed not among them', () => {
    expect([...terminalStatuses].sort()).toEqual([...orders.terminalOrderStatuses].sort())
    expect(isTerminal('confirmed')).toBe(false)
    expect(isTerminal('shipped')).toBe(true)
    expect(isTerminal('cancelled')).toBe(true)
  })

  it('moves forward only', () => {
    expect(advances(undefined, 'pending')).toBe(true)
    expect(advances(undefined, 'confirmed')).toBe(true)
    expect(advances('pending', 'awaiting_payment')).toBe(true)
    expect(advances('awaiting_payment', 'confirmed')).toBe(true)
    expect(advances('confirmed', 'shipped')).toBe(true)
    expect(advances('confirmed', 'cancelled')).toBe(true)
    expect(advances('pending', 'cancelled')).toBe(true)
    expect(advances('confirmed', 'awaiting_payment')).toBe(false)
    expect(advances('awaiting_payment', 'pending')).toBe(false)
    expect(advances('confirmed', 'confirmed')).toBe(false)
  })

  it('follows a decline and a retry: awaiting_payment → payment_failed → awaiting_payment (next attempt)', () => {
    expect(advances('awaiting_payment', 'payment_failed')).toBe(true)
    expect(advances('payment_failed', 'awaiting_payment', { current: 1, next: 2 })).toBe(true)
    expect(advances('payment_failed', 'awaiting_payment', { current: 1, next: 1 })).toBe(false)
    expect(advances('awaiting_payment', 'payment_failed', { current: 2, next: 1 })).toBe(false)
    expect(advances('payment_failed', 'confirmed', { current: 3 })).toBe(true)
    expect(advances('payment_failed', 'cancelled', { current: 5 })).toBe(true)
    expect(advances('cancelled', 'awaiting_payment', { next: 9 })).toBe(false)
    expect(isTerminal('payment_failed')).toBe(false)
    const attempt = (status: OrderStatus, n: number): StatusFact => ({
      ...fact(status),
      attempt: n,
    })
    const facts = [
      fact('pending'),
      attempt('awaiting_payment', 1),
      attempt('payment_failed', 1),
      attempt('awaiting_payment', 2),
      fact('confirmed'),
    ]
    for (const order of permutations(facts)) expect(project(order)?.status).toBe('confirmed')
    const open = facts.slice(0, 4)
    for (const order of permutations(open)) {
      expect(project(order)).toMatchObject({ status: 'awaiting_payment', attempt: 2 })
    }
  })

  it('keeps the first of shipped and cancelled', () => {
    expect(advances('shipped', 'cancelled')).toBe(false)
    expect(advances('cancelled', 'shipped')).toBe(false)
    expect(advances('cancelled', 'confirmed')).toBe(false)
  })

  it('reaches the same end for every order of the happy path', () => {
    const facts = [fact('pending'), fact('awaiting_payment'), fact('confirmed'), fact('shipped')]
    for (const order of permutations(facts)) expect(project(order)?.status).toBe('shipped')
  })

  it('reaches cancelled for every order of a cancellation after confirmation', () => {
    const facts = [
      fact('pending'),
      fact('awaiting_payment'),
      fact('confirmed'),
      fact('cancelled', 'customer_cancelled'),
    ]
    for (const order of permutations(facts)) {
      expect(project(order)).toMatchObject({
        status: 'cancelled',
        cancellationReason: 'customer_cancelled',
      })
    }
  })

  it('reaches cancelled for every order of a declined payment, duplicates included', () => {
    const facts = [
      fact('pending'),
      fact('awaiting_payment'),
      fact('awaiting_payment'),
      fact('cancelled', 'card_declined'),
      fact('pending'),
    ]
    for (const order of permutations(facts)) expect(project(order)?.status).toBe('cancelled')
  })

  it('starts an order at confirmed when its confirmation comes first', () => {
    expect(project([fact('confirmed'), fact('pending'), fact('awaiting_payment')])?.status).toBe(
      'confirmed',
    )
  })

  it('lets whichever of shipped and cancelled came first win', () => {
    expect(project([fact('confirmed'), fact('shipped'), fact('cancelled', 'x')])?.status).toBe(
      'shipped',
    )
    expect(project([fact('confirmed'), fact('cancelled', 'x'), fact('shipped')])?.status).toBe(
      'cancelled',
    )
  })
})
