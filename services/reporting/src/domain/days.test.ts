import { describe, expect, it } from 'vitest'
import { dayOf, daysBetween, maxReportDays } from './days.js'

describe('report days', () => {
  it('lists every UTC day of the range, both ends included', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ])
    expect(daysBetween('2028-02-28', '2028-03-01')).toHaveLength(3)
    expect(dayOf(new Date('2026-03-01T23:59:59.999Z'))).toBe('2026-03-01')
  })

  it('refuses a day that does not exist, a backwards range and one over 366 days', () => {
    for (const [from, to] of [
      ['2026-02-30', '2026-03-01'],
      ['2026-01-01', '2026-13-01'],
      ['0000-01-01', '0000-01-02'],
      ['2026-03-02', '2026-03-01'],
      ['2025-01-01', '2026-01-02'],
    ]) {
      expect(() => daysBetween(from!, to!)).toThrow(
        expect.objectContaining({ code: 'REPORTING.INVALID_RANGE' }),
      )
    }
    expect(daysBetween('2024-01-01', '2024-12-31')).toHaveLength(maxReportDays)
  })
})
