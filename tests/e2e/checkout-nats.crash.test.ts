import { startPrivateNats } from '@emporium/platform/testing'
import { describe, expect, it } from 'vitest'
import { runChaos, type ChaosReport } from '../chaos/chaos.js'
import { formatChaosReport } from '../chaos/report.js'

// The checkout crash test (checkout.crash.test.ts) with the bus on NATS JetStream (issue 21):
// the same short chaos schedule and invariants, the services' processes SIGKILLed and hung,
// PostgreSQL restarted, and the run's own nats-server killed with SIGKILL (stopped with SIGTERM
// when it does not fsync before acknowledging, before 2.10) and started again in place of
// RabbitMQ's restart.
describe('checkout crash test on NATS JetStream: the short chaos schedule', () => {
  it('keeps every invariant of the checkout saga with NATS killed and restarted', async () => {
    const report: ChaosReport = await runChaos({
      mode: 'short',
      broker: 'nats',
      log: (line) => {
        if (line.startsWith('chaos:')) console.log(line)
      },
    })
    console.log(formatChaosReport(report))
    expect(report.error).toBeUndefined()
    expect(report.invariants.filter((i) => !i.ok)).toEqual([])
    const done = (kind: string, target?: string) =>
      report.faults.some((f) => f.ok && f.kind === kind && (!target || f.target === target))
    for (const victim of ['orders', 'catalog', 'payments', 'shipping'])
      expect(done('kill', victim)).toBe(true)
    expect(done('broker-restart')).toBe(true)
    // SIGKILL, or SIGTERM for a nats-server that acknowledges before it writes (before 2.10:
    // PrivateNats.crash, docs/messaging.md): the harshest end that loses nothing acknowledged.
    const probe = await startPrivateNats()
    const how = probe.how
    await probe.destroy()
    expect(report.faults.find((f) => f.kind === 'broker-restart')?.detail).toMatch(
      new RegExp(`^${how}`),
    )
    expect(done('postgres-restart')).toBe(true)
    expect(report.steadfast).toHaveLength(200)
    expect(report.steadfast.filter((c) => c.orderId).length).toBeGreaterThanOrEqual(100)
    expect(report.invariants.length).toBeGreaterThanOrEqual(21)
  }, 1_500_000)
})
