import type { ChaosReport } from './chaos.js'
import { formatReport } from '@emporium/loadgen'

const pairs = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || 'none'

/** The chaos run as a human reads it: faults, load, checkout outcomes, invariants. */
export function formatChaosReport(report: ChaosReport): string {
  const out: string[] = []
  const { timings, settings } = report
  out.push(
    `Chaos run (${report.mode}) ${report.startedAt}: ${timings.total} s in all — start-up ` +
      `${timings.startup} s, load ${timings.load} s, settle ${timings.settle} s`,
  )
  out.push(
    `Replicas ${Object.entries(settings.replicas)
      .map(([name, n]) => `${name} ×${n}`)
      .join(', ')} (one of each other service); ${settings.rate} arrivals/s for ` +
      `${settings.loadSeconds} s`,
  )
  if (settings.skipped.length > 0) out.push(`Fault kinds left out: ${settings.skipped.join(', ')}`)
  out.push('')
  out.push(`Faults injected (${report.faults.length}; t = seconds after the load started):`)
  for (const fault of report.faults) {
    const what = `${fault.kind}${fault.target ? ` ${fault.target}` : ''}`
    out.push(
      `  t+${fault.startedAt.toFixed(1).padStart(6)} → ${fault.endedAt.toFixed(1).padStart(6)}  ` +
        `${what.padEnd(26)} ${fault.ok ? fault.detail : `FAILED: ${fault.error}`}`,
    )
  }
  for (const crash of report.crashes) {
    out.push(
      `Exited on its own: ${crash.instance} at t+${crash.at.toFixed(0)}s ` +
        `(${crash.signal ?? `exit code ${crash.code}`}); its last words:`,
    )
    const words = crash.tail
      .split('\n')
      .filter((line) => line.trim() && !/^\s+\w+: (undefined|'?\w*'?),?$/.test(line))
    for (const line of words.slice(-20)) out.push(`    | ${line.slice(0, 240)}`)
  }
  out.push('')
  if (report.load) {
    out.push(formatReport(report.load))
    out.push('(errors are expected while faults are injected: the run is judged on the invariants)')
    out.push('')
  }
  if (report.steadfast.length > 0) {
    const accepted = report.steadfast.filter((c) => c.orderId)
    const retried = accepted.filter((c) => c.attempts > 1).length
    out.push(
      `Steadfast shoppers (retrying each step, one Idempotency-Key per order): ` +
        `${report.steadfast.length}, ${accepted.length} orders accepted, ${retried} of them after ` +
        `retries (at most ${Math.max(0, ...report.steadfast.map((c) => c.attempts))} attempts)`,
    )
    const retries: Record<string, number> = {}
    for (const c of report.steadfast.filter((x) => x.paymentRetry)) {
      retries[c.paymentRetry!] = (retries[c.paymentRetry!] ?? 0) + 1
    }
    out.push(
      `Payment retries after a decline (another card, same order): ${JSON.stringify(retries)}`,
    )
    const promotion: Record<string, number> = {}
    for (const c of report.steadfast.filter((x) => x.promotion))
      promotion[c.promotion!] = (promotion[c.promotion!] ?? 0) + 1
    if (report.pricing)
      out.push(
        `Promotion ${report.pricing.promotion.code} (${report.pricing.promotion.usageLimit} uses) ` +
          `entered by steadfast shoppers: ${pairs(promotion)}`,
      )
    out.push('')
  }
  if (report.fulfilment.length > 0) {
    const outcomes: Record<string, number> = {}
    for (const f of report.fulfilment) outcomes[f.outcome] = (outcomes[f.outcome] ?? 0) + 1
    const partial = report.fulfilment.filter((f) => f.partial).length
    const retries = report.fulfilment.reduce((n, f) => n + f.retries, 0)
    out.push(
      `Fulfiller (admin shipping steadfast orders): ${report.fulfilment.length} orders, ` +
        `${pairs(outcomes)}; ${partial} in two shipments; ${retries} requests sent again`,
    )
    out.push('')
  }
  if (report.returns.length > 0) {
    const outcomes: Record<string, number> = {}
    for (const r of report.returns)
      outcomes[`${r.kind} ${r.outcome}`] = (outcomes[`${r.kind} ${r.outcome}`] ?? 0) + 1
    const units = report.returns.reduce((n, r) => n + r.units, 0)
    const restocked = report.returns.reduce((n, r) => n + r.restocked, 0)
    const retries = report.returns.reduce((n, r) => n + r.retries, 0)
    out.push(
      `Returner (shoppers returning, staff receiving and refunding): ${report.returns.length} orders, ` +
        `${pairs(outcomes)}; ${units} units received, ${restocked} restocked; ${retries} requests sent again`,
    )
    out.push('')
  }
  if (report.outcome) {
    const o = report.outcome
    out.push(
      `Orders in the database: ${pairs(o.orders)}; cancelled because ${pairs(o.cancellations)}`,
    )
    out.push(
      `Payments: ${pairs(o.payments)}; confirmed total ${o.confirmedTotal} (minor units); ` +
        `orders the client never heard of (answer lost): ${o.ordersUnknownToClient}`,
    )
    out.push(`Dead letters: ${o.deadLetters.length === 0 ? 'none' : ''}`)
    for (const letter of o.deadLetters) {
      out.push(
        `  ${letter.consumer}  ${letter.type}  ${letter.id}  after ${letter.attempts} attempts: ${letter.error}`,
      )
    }
    out.push('')
  }
  if (report.unsettled.length > 0)
    out.push(`Still moving when settling gave up: ${report.unsettled.join('; ')}`)
  out.push('Invariants (over the databases and the run’s broker):')
  for (const result of report.invariants) {
    out.push(`  ${result.ok ? 'ok  ' : 'FAIL'}  ${result.name}: ${result.detail}`)
  }
  if (report.error) out.push(`The run failed: ${report.error}`)
  if (report.logs) out.push(`Every process's output: ${report.logs}`)
  out.push('')
  out.push(report.ok ? 'PASS: every invariant held' : 'FAIL')
  return out.join('\n')
}
