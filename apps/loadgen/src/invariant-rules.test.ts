import type { Order, OrderStatus, Payment, Reconciliation } from '@emporium/sdk'
import { describe, expect, it } from 'vitest'
import { ordersFinal, paymentsReconcile, stockSound } from './invariant-rules.js'

const order = (id: string, status: OrderStatus, amount: number) =>
  ({ id, status, total: { amount, currency: 'USD' } }) as Order
const payment = (orderId: string, status: Payment['status'], amount: number) =>
  ({ orderId, status, amount: { amount, currency: 'USD' } }) as Payment
const ledger = (net: number, doubleCaptures: string[] = []): Reconciliation => ({
  currencies: [{ currency: 'USD', authorized: 0, captured: net, refunded: 0, net }],
  doubleCaptures,
})

describe('ordersFinal', () => {
  it('passes when every order is final and names the stuck ones', () => {
    expect(ordersFinal([order('a', 'confirmed', 1), order('b', 'cancelled', 1)], 30).ok).toBe(true)
    const result = ordersFinal([order('a', 'confirmed', 1), order('b', 'awaiting_payment', 1)], 30)
    expect(result.ok).toBe(false)
    expect(result.detail).toContain('b (awaiting_payment)')
  })

  it('does not take a payment_failed order (held for another card) as final', () => {
    const result = ordersFinal([order('a', 'confirmed', 1), order('b', 'payment_failed', 1)], 30)
    expect(result).toMatchObject({ ok: false })
    expect(result.detail).toContain('1 of 2 orders not final after 30s: b (payment_failed)')
  })
})

describe('stockSound', () => {
  const level = (onHand: number, reserved: number, available = onHand - reserved) => ({
    productId: 'p',
    onHand,
    reserved,
    available,
  })
  it('refuses negative or inconsistent stock, and stock held with no order open', () => {
    expect(stockSound([level(5, 2)], false).ok).toBe(true)
    expect(stockSound([level(5, 0)], true).ok).toBe(true)
    expect(stockSound([level(-1, 0)], false).ok).toBe(false)
    expect(stockSound([level(1, 2)], false).ok).toBe(false) // available −1
    expect(stockSound([level(5, 1, 5)], false).ok).toBe(false)
    expect(stockSound([level(5, 2)], true).ok).toBe(false)
  })
})

describe('paymentsReconcile', () => {
  const all = [
    order('a', 'confirmed', 1000),
    order('b', 'cancelled', 500),
    order('c', 'shipped', 200),
  ]
  it('passes when captures match confirmed totals', () => {
    const list = [
      payment('a', 'captured', 1000),
      payment('b', 'refunded', 500),
      payment('c', 'captured', 200),
    ]
    const result = paymentsReconcile(all, list, ledger(1200))
    expect(result).toMatchObject({ ok: true })
    expect(result.detail).toContain('USD 1200')
  })

  it('fails on a missing capture, a capture of a cancelled order, a double capture, a ledger gap', () => {
    const missing = paymentsReconcile(all, [payment('c', 'captured', 200)], ledger(1200))
    expect(missing.ok).toBe(false)
    expect(missing.detail).toContain('a confirmed total 1000, captured 0')
    const kept = paymentsReconcile(
      all,
      [
        payment('a', 'captured', 1000),
        payment('b', 'captured', 500),
        payment('c', 'captured', 200),
      ],
      ledger(1200),
    )
    expect(kept.detail).toContain('b cancelled but 500 captured')
    const list = [payment('a', 'captured', 1000), payment('c', 'captured', 200)]
    expect(paymentsReconcile(all, list, ledger(1200, ['a'])).detail).toContain('captured twice: a')
    expect(paymentsReconcile(all, list, ledger(1700)).detail).toContain(
      'ledger net 1700 ≠ confirmed totals 1200',
    )
  })

  it('counts every attempt of an order paid again after a decline: captured once, in total', () => {
    // a: declined, then paid again and confirmed; b: declined, then cancelled (nothing charged).
    const retried = [order('a', 'confirmed', 1000), order('b', 'cancelled', 500)]
    const declinedThenPaid = [
      payment('a', 'declined', 1000),
      payment('a', 'captured', 1000),
      payment('b', 'declined', 500),
    ]
    expect(paymentsReconcile(retried, declinedThenPaid, ledger(1000))).toMatchObject({ ok: true })
    const twice = paymentsReconcile(
      retried,
      [...declinedThenPaid, payment('a', 'captured', 1000)],
      ledger(2000),
    )
    expect(twice.ok).toBe(false)
    expect(twice.detail).toContain('a confirmed total 1000, captured 2000')
    const charged = paymentsReconcile(
      retried,
      [...declinedThenPaid, payment('b', 'captured', 500)],
      ledger(1500),
    )
    expect(charged.detail).toContain('b cancelled but 500 captured')
  })
})
