import type { Order, Payment, Reconciliation, StockLevel } from '@emporium/sdk'
import type { InvariantResult } from './types.js'

const finals: readonly string[] = ['confirmed', 'shipped', 'cancelled']
const paid: readonly string[] = ['confirmed', 'shipped']
const sample = (items: string[], n = 5) =>
  items.slice(0, n).join(', ') + (items.length > n ? `, … (${items.length - n} more)` : '')

/**
 * Every order has reached confirmed, shipped or cancelled. A `payment_failed` order is not
 * final: it is held for another card until its payment deadline.
 */
export function ordersFinal(all: readonly Order[], settledSeconds: number): InvariantResult {
  const stuck = all.filter((o) => !finals.includes(o.status))
  return {
    name: 'orders final',
    ok: stuck.length === 0,
    detail:
      stuck.length === 0
        ? `${all.length} orders, all final`
        : `${stuck.length} of ${all.length} orders not final after ${settledSeconds}s: ` +
          sample(stuck.map((o) => `${o.id} (${o.status})`)),
  }
}

/**
 * Stock is never negative and adds up (available = on hand − reserved, reserved ≤ on hand);
 * once no order is open, nothing is still held.
 */
export function stockSound(levels: readonly StockLevel[], noOrderOpen: boolean): InvariantResult {
  const bad: string[] = []
  for (const s of levels) {
    if (s.onHand < 0 || s.reserved < 0 || s.available < 0)
      bad.push(
        `${s.productId} negative (onHand ${s.onHand}, reserved ${s.reserved}, available ${s.available})`,
      )
    else if (s.available !== s.onHand - s.reserved)
      bad.push(`${s.productId} available ${s.available} ≠ ${s.onHand} − ${s.reserved}`)
    else if (noOrderOpen && s.reserved !== 0)
      bad.push(`${s.productId} still holds ${s.reserved} with no order open`)
  }
  return {
    name: 'stock never negative',
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `${levels.length} products checked` + (noOrderOpen ? ', none holding stock' : '')
        : sample(bad, 3),
  }
}

/**
 * Money: each confirmed (or shipped) order has captures equal to its total (summed over its
 * payments: one per attempt when it was paid again after a decline, so a second capture
 * shows), a cancelled one has nothing left captured, no order is captured twice, and the ledger's captured − refunded
 * equals the confirmed totals per currency.
 */
export function paymentsReconcile(
  all: readonly Order[],
  list: readonly Payment[],
  ledger: Reconciliation,
): InvariantResult {
  const captured = new Map<string, number>()
  for (const p of list)
    if (p.status === 'captured')
      captured.set(p.orderId, (captured.get(p.orderId) ?? 0) + p.amount.amount)
  const bad: string[] = []
  const expected = new Map<string, number>()
  for (const o of all) {
    const got = captured.get(o.id) ?? 0
    if (paid.includes(o.status)) {
      expected.set(o.total.currency, (expected.get(o.total.currency) ?? 0) + o.total.amount)
      if (got !== o.total.amount)
        bad.push(`${o.id} ${o.status} total ${o.total.amount}, captured ${got}`)
    } else if (o.status === 'cancelled' && got !== 0) {
      bad.push(`${o.id} cancelled but ${got} captured`)
    }
  }
  if (ledger.doubleCaptures.length > 0) bad.push(`captured twice: ${sample(ledger.doubleCaptures)}`)
  const currencies = new Set([...expected.keys(), ...ledger.currencies.map((c) => c.currency)])
  const sums: string[] = []
  for (const currency of currencies) {
    const net = ledger.currencies.find((c) => c.currency === currency)?.net ?? 0
    const want = expected.get(currency) ?? 0
    sums.push(`${currency} ${net}`)
    if (net !== want) bad.push(`${currency}: ledger net ${net} ≠ confirmed totals ${want}`)
  }
  return {
    name: 'payments reconcile',
    ok: bad.length === 0,
    detail:
      bad.length === 0
        ? `captured − refunded = confirmed totals (${sums.join(', ') || 'nothing'}), no double capture`
        : sample(bad, 3),
  }
}
