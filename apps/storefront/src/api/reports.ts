import { unwrap, type Money } from '@emporium/sdk'
import { loose, queryOf } from './untyped'

/** One UTC day of the figures (`GET /api/v1/reports/daily`). */
export interface DayFigures {
  date: string
  orders: number
  revenue: Money
  averageOrderValue: Money
  refunds: number
  refundedAmount: Money
  /** Carts started that day (a first line added). */
  carts: number
  /** Paid orders per cart started, to 4 decimals (may exceed 1 across days). */
  conversion: number
  /** Orders placed that day (absent from a reporting service older than the field). */
  placed?: number
}

export interface DailyReport {
  currency: string
  days: DayFigures[]
}

export interface TopProduct {
  productId: string
  variantId?: string
  name: string
  quantity: number
  revenue: Money
}

/** A range of UTC days, both ends included (`YYYY-MM-DD`). */
export interface DayRange {
  from: string
  to: string
}

export const readDaily = (range: DayRange, signal?: AbortSignal): Promise<DailyReport> =>
  unwrap(
    loose.GET('/api/v1/reports/daily', { params: { query: { ...range } }, ...opt(signal) }),
  ).catch((error: unknown) => {
    throw rangeRefused(error) ? new Error(rangeWords) : error
  }) as Promise<DailyReport>

const rangeWords = 'Choose at most 366 days, each a day of the calendar.'
const rangeRefused = (error: unknown) =>
  (error as { code?: unknown } | undefined)?.code === 'REPORTING.INVALID_RANGE'

export async function readTopProducts(range: DayRange, signal?: AbortSignal) {
  const page = (await unwrap(
    loose.GET('/api/v1/reports/top-products', {
      params: { query: { ...range, limit: 10 } },
      ...opt(signal),
    }),
  )) as { items: TopProduct[] }
  return page.items
}

/** A CSV export: fetched with the session's token (a plain link would carry none). */
export const fetchCsv = (report: 'daily' | 'top-products', range: DayRange): Promise<Blob> =>
  unwrap(
    loose.GET(`/api/v1/reports/${report}.csv`, {
      params: { query: { ...range, ...(report === 'top-products' ? { limit: 100 } : {}) } },
      parseAs: 'blob',
    }),
  ) as Promise<Blob>

/** One staff action of the audit trail (`GET /api/v1/audit`). */
export interface AuditEntry {
  id: string
  actor: { userId: string; roles: string[] }
  action: string
  entity: { type: string; id: string }
  before: unknown
  after: unknown
  at: string
  /** The service that recorded it. */
  source?: string
}

/** The audit trail's filters; each empty one is left out. */
export interface AuditFilter {
  actorId?: string
  action?: string
  entityType?: string
  entityId?: string
  /** Date-times (ISO 8601). */
  from?: string
  to?: string
}

export const listAudit = (
  filter: AuditFilter,
  cursor?: string,
  signal?: AbortSignal,
): Promise<{ items: AuditEntry[]; nextCursor: string | null }> =>
  unwrap(
    loose.GET('/api/v1/audit', {
      params: { query: queryOf({ ...filter, cursor, limit: 25 }) },
      ...opt(signal),
    }),
  ) as Promise<{ items: AuditEntry[]; nextCursor: string | null }>

const opt = (signal: AbortSignal | undefined) => (signal ? { signal } : {})
