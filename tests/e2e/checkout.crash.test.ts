import { describe, expect, it } from 'vitest'
import { runChaos, type ChaosReport } from '../chaos/chaos.js'
import { formatChaosReport } from '../chaos/report.js'

// The checkout saga under faults, in the distributed mode: the short chaos run (tests/chaos,
// docs/chaos.md). Two replicas of orders, catalog and payments; while the load generator's crowd
// and 200 steadfast shoppers (retrying with one Idempotency-Key, paying again after a decline)
// check out — paying shipping and tax, a third of them racing for a promotion of 10 uses, an
// admin shipping their orders in one or two shipments meanwhile, shoppers returning units of
// some shipped orders (staff receiving them, restocking some) and staff refunding part of others
// by amount — orders, catalog, payments and shipping are each SIGKILLed, replicas hang, RabbitMQ
// and PostgreSQL restart, a replica slows down and the payment provider fails for a while.
// Afterwards every order has ended, none was charged twice and each capture is its order's total,
// no unit was sold twice or lost (restocked returns back on hand), the ledger reconciles with the
// orders' totals less their refunds, every return was received and refunded and each refund made
// exactly once, the promotion's uses match the confirmed orders carrying it within its limit, no
// line shipped beyond its order and every order shipped in full is `shipped`, reporting's sums
// are the ledger's, every outbox is empty and each retried checkout made exactly one order.
describe('checkout crash test: the short chaos schedule', () => {
  it('keeps every invariant of the checkout saga', async () => {
    const report: ChaosReport = await runChaos({
      mode: 'short',
      log: (line) => {
        if (line.startsWith('chaos:')) console.log(line)
      },
    })
    console.log(formatChaosReport(report))
    expect(report.error).toBeUndefined()
    expect(report.invariants.filter((i) => !i.ok)).toEqual([])
    // The faults the crash test has always promised, whatever the schedule becomes.
    const done = (kind: string, target?: string) =>
      report.faults.some((f) => f.ok && f.kind === kind && (!target || f.target === target))
    for (const victim of ['orders', 'catalog', 'payments', 'shipping'])
      expect(done('kill', victim)).toBe(true)
    expect(done('broker-restart')).toBe(true)
    expect(done('postgres-restart')).toBe(true)
    // A couple hundred checkouts went through the faults (each one accepted or sold out: the
    // invariant above).
    expect(report.steadfast).toHaveLength(200)
    expect(report.steadfast.filter((c) => c.orderId).length).toBeGreaterThanOrEqual(100)
    // Issue 18: the promotion was raced for, and the fulfiller shipped orders, some in two parts.
    expect(report.steadfast.filter((c) => c.promotion === 'applied').length).toBeGreaterThan(0)
    expect(report.steadfast.filter((c) => c.promotion === 'exhausted').length).toBeGreaterThan(0)
    expect(
      report.fulfilment.filter((f) => f.outcome === 'shipped' && f.partial).length,
    ).toBeGreaterThan(0)
    // Issue 19: returns received and refunded through the faults, some restocked, and partial
    // refunds by amount.
    const returned = (kind: string) =>
      report.returns.filter((r) => r.kind === kind && r.outcome === 'refunded')
    expect(returned('return').length).toBeGreaterThan(0)
    expect(returned('return').filter((r) => r.restocked > 0).length).toBeGreaterThan(0)
    expect(returned('refund').length).toBeGreaterThan(0)
    const names = report.invariants.map((i) => i.name)
    for (const name of [
      'promotion uses reconciled',
      "every capture charged its order's total",
      'every order priced with shipping and tax',
      'no line shipped beyond its order',
      'orders shipped exactly when their shipments hold every line',
      'every order the fulfiller completed is shipped',
      'every return received and refunded',
      'payments reconciliation = order totals less their refunds',
      'each refund refunded exactly once',
      'reporting reconciled with the ledger',
    ])
      expect(names).toContain(name)
    expect(report.invariants.length).toBeGreaterThanOrEqual(21)
    // Generous: on a loaded machine the start-up of a dozen processes alone can take minutes.
  }, 1_500_000)
})
