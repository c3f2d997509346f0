import type { InvariantResult, LoadReport } from './types.js'

export interface Verdict {
  /** 0 passed; 1 error rate over the threshold; 2 an invariant failed; 3 both. */
  code: number
  reasons: string[]
}

/** Whether the run passed: its error rate within `maxErrorRate`, no invariant failed. */
export function judge(
  report: LoadReport,
  invariants: readonly InvariantResult[] | undefined,
  maxErrorRate: number,
): Verdict {
  const reasons: string[] = []
  let code = 0
  const { errors, requests, errorRate } = report.totals
  if (errorRate > maxErrorRate) {
    code |= 1
    reasons.push(
      `error rate ${(errorRate * 100).toFixed(2)}% (${errors} of ${requests}) is over ` +
        `--max-error-rate ${(maxErrorRate * 100).toFixed(2)}%`,
    )
  }
  const failed = (invariants ?? []).filter((i) => !i.ok && !i.skipped)
  if (failed.length > 0) {
    code |= 2
    reasons.push(`invariants failed: ${failed.map((i) => i.name).join(', ')}`)
  }
  return { code, reasons }
}
