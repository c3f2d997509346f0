import { AppError } from '@emporium/platform/errors'

/** The longest range of days a report covers (a leap year). */
export const maxReportDays = 366

/** The UTC day of a moment, `YYYY-MM-DD`. */
export function dayOf(at: Date): string {
  return at.toISOString().slice(0, 10)
}

function invalid(message: string, path: string): AppError {
  return new AppError('invalid', 'REPORTING.INVALID_RANGE', message, {
    details: { errors: [{ path, message }] },
  })
}

/** A real calendar day, or undefined (`2026-02-30` is not one). */
function parseDay(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined
  const date = new Date(`${text}T00:00:00.000Z`)
  if (Number.isNaN(date.getTime()) || dayOf(date) !== text || date.getUTCFullYear() < 1) {
    return undefined
  }
  return date
}

/**
 * The days from `from` to `to`, both included, oldest first; a 400 `REPORTING.INVALID_RANGE`
 * for a day that does not exist, a range backwards or longer than `maxReportDays`.
 */
export function daysBetween(from: string, to: string): string[] {
  const start = parseDay(from)
  if (!start) throw invalid('`from` is not a calendar day (YYYY-MM-DD).', '/querystring/from')
  const end = parseDay(to)
  if (!end) throw invalid('`to` is not a calendar day (YYYY-MM-DD).', '/querystring/to')
  if (end < start) throw invalid('`to` is before `from`.', '/querystring/to')
  const count = Math.round((end.getTime() - start.getTime()) / 86_400_000) + 1
  if (count > maxReportDays) {
    throw invalid(`A report covers at most ${maxReportDays} days.`, '/querystring/to')
  }
  return Array.from({ length: count }, (_, i) => dayOf(new Date(start.getTime() + i * 86_400_000)))
}
