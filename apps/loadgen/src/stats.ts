import { createHistogram, type RecordableHistogram } from 'node:perf_hooks'
import type { Outcome } from './classify.js'
import type {
  AfterDeclineReport,
  CardName,
  CheckoutReport,
  OperationStats,
  Percentiles,
} from './types.js'

/**
 * Latencies in an HDR histogram (Node's own, `perf_hooks.createHistogram`: 3 significant
 * figures, constant memory however long the run), recorded in microseconds.
 */
export function createLatencies() {
  const histogram: RecordableHistogram = createHistogram({ lowest: 1, figures: 3 })
  const ms = (us: number) => Math.round(us / 100) / 10
  return {
    record(milliseconds: number) {
      histogram.record(Math.max(1, Math.round(milliseconds * 1000)))
    },
    get count() {
      return histogram.count
    },
    percentiles(): Percentiles {
      if (histogram.count === 0) return { p50: 0, p90: 0, p99: 0, max: 0 }
      return {
        p50: ms(histogram.percentile(50)),
        p90: ms(histogram.percentile(90)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      }
    },
  }
}
export type Latencies = ReturnType<typeof createLatencies>

interface OperationTally {
  latencies: Latencies
  count: number
  errors: number
  throttled: number
  expected: number
}

/** Counts and latencies of every request, per operation, and errors by kind. */
export function createRecorder() {
  const operations = new Map<string, OperationTally>()
  const errorsByKind = new Map<string, number>()
  const all = createLatencies()
  const tally = (name: string) => {
    let entry = operations.get(name)
    if (!entry) {
      entry = { latencies: createLatencies(), count: 0, errors: 0, throttled: 0, expected: 0 }
      operations.set(name, entry)
    }
    return entry
  }
  return {
    /** One request of `operation`; `ms` is its latency (throttled answers are left out of it). */
    record(operation: string, ms: number, outcome: Outcome) {
      if (outcome.kind === 'aborted') return
      const entry = tally(operation)
      entry.count++
      if (outcome.kind === 'throttled') {
        entry.throttled++
        return
      }
      entry.latencies.record(ms)
      all.record(ms)
      if (outcome.kind === 'expected') entry.expected++
      if (outcome.kind === 'error') {
        entry.errors++
        errorsByKind.set(outcome.error, (errorsByKind.get(outcome.error) ?? 0) + 1)
      }
    },
    totals() {
      let requests = 0
      let errors = 0
      let throttled = 0
      let expected = 0
      for (const entry of operations.values()) {
        requests += entry.count
        errors += entry.errors
        throttled += entry.throttled
        expected += entry.expected
      }
      return { requests, errors, throttled, expected }
    },
    /** Per operation, busiest first; `seconds` turns counts into throughput. */
    operations(seconds: number): OperationStats[] {
      return [...operations.entries()]
        .map(([name, entry]) => ({
          name,
          count: entry.count,
          errors: entry.errors,
          throttled: entry.throttled,
          expected: entry.expected,
          rps: seconds > 0 ? Math.round((entry.count / seconds) * 100) / 100 : 0,
          ...entry.latencies.percentiles(),
        }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
    },
    errorsByKind: () => Object.fromEntries([...errorsByKind].sort((a, b) => b[1] - a[1])),
    /** Latency of every answer so far, all operations together (for the progress line). */
    overall: (): Percentiles => all.percentiles(),
  }
}
export type Recorder = ReturnType<typeof createRecorder>

/** What each checkout came to. */
export function createCheckoutTally() {
  const placeToFinal = createLatencies()
  const report: Omit<CheckoutReport, 'placeToFinal'> = {
    placed: 0,
    confirmed: 0,
    cancelled: {},
    unfinished: 0,
    notPlaced: {},
    byCard: {},
    afterDecline: { declined: 0, retries: 0, retryOutcomes: {}, cancelled: 0, refused: 0 },
  }
  const declines: AfterDeclineReport = report.afterDecline
  const bump = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1
  }
  return {
    placed() {
      report.placed++
    },
    notPlaced(reason: string) {
      bump(report.notPlaced, reason)
    },
    /** An order seen `payment_failed` for the first time. */
    declined() {
      declines.declined++
    },
    /** What the shopper did about it: paid again, cancelled, or was refused either. */
    afterDecline(action: 'retry' | 'cancel' | 'refused') {
      if (action === 'retry') declines.retries++
      else if (action === 'cancel') declines.cancelled++
      else declines.refused++
    },
    /**
     * A placed order's end: its final status (and reason), or undefined when not seen final;
     * `retried` when it was paid again after a decline.
     */
    ended(
      card: CardName,
      status: string | undefined,
      reason: string | null,
      ms: number,
      retried = false,
    ) {
      let outcome: string
      if (status === 'confirmed' || status === 'shipped') {
        report.confirmed++
        outcome = 'confirmed'
      } else if (status === 'cancelled') {
        bump(report.cancelled, reason ?? 'unknown')
        outcome = `cancelled:${reason ?? 'unknown'}`
      } else {
        report.unfinished++
        outcome = 'unfinished'
      }
      if (outcome !== 'unfinished') placeToFinal.record(ms)
      bump((report.byCard[card] ??= {}), outcome)
      if (retried) bump(declines.retryOutcomes, outcome)
    },
    get open() {
      const ended =
        report.confirmed +
        report.unfinished +
        Object.values(report.cancelled).reduce((a, b) => a + b, 0)
      return report.placed - ended
    },
    report(): CheckoutReport {
      return structuredClone({ ...report, placeToFinal: placeToFinal.percentiles() })
    },
  }
}
export type CheckoutTally = ReturnType<typeof createCheckoutTally>
