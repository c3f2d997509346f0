import { describe, expect, it } from 'vitest'
import { runChaos, type ChaosReport } from '../chaos/chaos.js'
import { formatChaosReport } from '../chaos/report.js'

// The checkout saga under faults, in the distributed mode: the short chaos run (tests/chaos,
// docs/chaos.md). Two replicas of orders, catalog and payments; while the load generator's crowd
// and 200 steadfast shoppers (retrying with one Idempotency-Key) check out, orders, catalog and
// payments are each SIGKILLed, replicas hang, RabbitMQ and PostgreSQL restart, a replica slows
// down and the payment provider fails for a while. Afterwards every order has ended, none was
// charged twice, no unit was sold twice or lost, the ledger reconciles, every outbox is empty
// and each retried checkout made exactly one order.
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
    for (const victim of ['orders', 'catalog', 'payments']) expect(done('kill', victim)).toBe(true)
    expect(done('broker-restart')).toBe(true)
    expect(done('postgres-restart')).toBe(true)
    // A couple hundred checkouts went through the faults (each one accepted or sold out: the
    // invariant above).
    expect(report.steadfast).toHaveLength(200)
    expect(report.steadfast.filter((c) => c.orderId).length).toBeGreaterThanOrEqual(100)
    expect(report.invariants.length).toBeGreaterThanOrEqual(12)
  }, 900_000)
})
