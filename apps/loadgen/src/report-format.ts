import type { InvariantResult, LoadReport } from './types.js'

const number = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 1 })
const percent = (x: number) => `${(x * 100).toFixed(2)}%`
const pairs = (record: Record<string, number>) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${key} ${number(n)}`)
    .join(', ')

/** Text columns: the first left-aligned, the others right-aligned. */
function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
}

/** The run as a human reads it: a summary, a table per operation, checkouts, errors, invariants. */
export function formatReport(report: LoadReport, invariants?: InvariantResult[]): string {
  const { totals, settings, checkout, shoppers } = report
  const out: string[] = []
  out.push(
    `Load on ${settings.baseUrl}: ${number(report.seconds)} s, ${number(settings.rate)} arrivals/s` +
      (settings.rampSeconds ? ` (ramp ${number(settings.rampSeconds)} s)` : '') +
      `, at most ${settings.maxInFlight} in flight, ${shoppers.pool} shoppers ` +
      `(${shoppers.reused} reused, ${shoppers.loggedIn} logged in, ${shoppers.registered} registered)`,
  )
  if (shoppers.note) out.push(`  note: ${shoppers.note}`)
  out.push(
    `Requests ${number(totals.requests)}, errors ${number(totals.errors)} ` +
      `(${percent(totals.errorRate)}), throttled ${number(totals.throttled)}, ` +
      `expected outcomes ${number(totals.expected)}, dropped arrivals ${number(totals.dropped)}` +
      (totals.dropped ? ` (${pairs(report.droppedByReason)})` : ''),
  )
  out.push('')
  const rows = report.operations.map((op) => [
    op.name,
    number(op.count),
    number(op.errors),
    number(op.throttled),
    number(op.expected),
    op.rps.toFixed(2),
    ...[op.p50, op.p90, op.p99, op.max].map((v) => v.toFixed(1)),
  ])
  out.push(
    ...table(
      [
        'operation',
        'count',
        'errors',
        'throttled',
        'expected',
        'req/s',
        'p50 ms',
        'p90 ms',
        'p99 ms',
        'max ms',
      ],
      rows,
    ),
  )
  out.push('')
  const scenarios = Object.entries(report.scenarios)
    .filter(([, s]) => s.started > 0)
    .map(([name, s]) => `${name} ${s.completed}/${s.started}`)
    .join(', ')
  out.push(`Scenarios completed/started: ${scenarios || 'none'}`)
  const cancelled = Object.values(checkout.cancelled).reduce((a, b) => a + b, 0)
  out.push(
    `Checkouts: ${checkout.placed} placed → ${checkout.confirmed} confirmed, ${cancelled} cancelled` +
      (cancelled ? ` (${pairs(checkout.cancelled)})` : '') +
      `, ${checkout.unfinished} unfinished` +
      (Object.keys(checkout.notPlaced).length ? `; not placed: ${pairs(checkout.notPlaced)}` : ''),
  )
  if (checkout.placed > checkout.unfinished) {
    const t = checkout.placeToFinal
    out.push(
      `  place → final: p50 ${number(t.p50)} ms, p90 ${number(t.p90)} ms, ` +
        `p99 ${number(t.p99)} ms, max ${number(t.max)} ms`,
    )
  }
  const cards = Object.entries(checkout.byCard)
    .map(([card, outcomes]) => `${card}: ${pairs(outcomes)}`)
    .join('; ')
  if (cards) out.push(`  by card: ${cards}`)
  const declines = checkout.afterDecline
  if (declines.declined > 0) {
    const outcomes = pairs(declines.retryOutcomes)
    out.push(
      `  after a decline: ${declines.declined} orders payment_failed → ` +
        `${declines.retries} paid again` +
        (outcomes ? ` (${outcomes})` : '') +
        `, ${declines.cancelled} cancelled by the shopper` +
        (declines.refused ? `, ${declines.refused} refused (409 or no answer)` : ''),
    )
  }
  if (totals.errors > 0) out.push(`Errors by kind: ${pairs(report.errorsByKind)}`)
  if (invariants) {
    out.push('', 'Invariants:')
    for (const result of invariants) {
      const mark = result.skipped ? '-' : result.ok ? '✓' : '✗'
      out.push(`  ${mark} ${result.name}: ${result.detail}`)
    }
  }
  return out.join('\n')
}
