import { describe, expect, it } from 'vitest'
import type { LoadReport } from './types.js'
import { judge } from './verdict.js'

const report = (requests: number, errors: number) =>
  ({ totals: { requests, errors, errorRate: requests ? errors / requests : 0 } }) as LoadReport

describe('judge', () => {
  it('passes at or under the threshold and fails over it', () => {
    expect(judge(report(100, 1), [], 0.01)).toEqual({ code: 0, reasons: [] })
    expect(judge(report(100, 0), undefined, 0)).toEqual({ code: 0, reasons: [] })
    const over = judge(report(100, 2), [], 0.01)
    expect(over.code).toBe(1)
    expect(over.reasons[0]).toBe('error rate 2.00% (2 of 100) is over --max-error-rate 1.00%')
    expect(judge(report(1000, 1), [], 0).code).toBe(1)
  })

  it('fails on a failed invariant, not on a skipped one', () => {
    const skipped = [{ name: 'invariants', ok: true, skipped: true, detail: 'skipped: no admin' }]
    expect(judge(report(10, 0), skipped, 0.01).code).toBe(0)
    const failed = [
      { name: 'orders final', ok: true, detail: '' },
      { name: 'stock never negative', ok: false, detail: 'p1 negative' },
    ]
    expect(judge(report(10, 0), failed, 0.01)).toEqual({
      code: 2,
      reasons: ['invariants failed: stock never negative'],
    })
    expect(judge(report(10, 5), failed, 0.01).code).toBe(3)
  })
})
