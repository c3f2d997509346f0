import type { reporting } from '@emporium/contracts'
import { AppError, decodeTimeIdCursor, encodeTimeIdCursor } from '@emporium/platform/app'
import { daysBetween } from '../domain/days.js'
import { dailyFigures } from '../domain/figures.js'
import type { ReportReader } from './ports.js'

/** The read use cases: ranges checked, defaults applied, pages cut. */
export function createReports(deps: { reader: ReportReader; currency: string }) {
  const { reader } = deps

  return {
    async daily(query: reporting.DailyQuery): Promise<reporting.DailyReport> {
      const days = daysBetween(query.from, query.to)
      const currency = query.currency ?? deps.currency
      const sums = await reader.daySums(days[0]!, days.at(-1)!, currency)
      return { currency, days: dailyFigures(days, sums, currency) }
    },

    async topProducts(query: reporting.TopProductsQuery) {
      const days = daysBetween(query.from, query.to)
      const currency = query.currency ?? deps.currency
      const items = await reader.topProducts(days[0]!, days.at(-1)!, currency, query.limit ?? 10)
      return { currency, items }
    },

    customer: (userId: string, query: reporting.CustomerQuery) =>
      reader.customer(userId, query.currency ?? deps.currency),

    async timeline(orderId: string): Promise<reporting.Timeline> {
      return { items: await reader.timeline(orderId) }
    },

    async audit(query: reporting.AuditQuery): Promise<reporting.AuditPage> {
      const limit = query.limit ?? 50
      const time = (text: string | undefined, name: string) => {
        if (text === undefined) return undefined
        const ms = Date.parse(text)
        const year = Number.isNaN(ms) ? 0 : new Date(ms).getUTCFullYear()
        const at = year >= 1 && year <= 9999 ? new Date(ms) : undefined
        if (at === undefined) {
          throw new AppError('invalid', 'REPORTING.INVALID_QUERY', `\`${name}\` is not a time.`, {
            details: { errors: [{ path: `/querystring/${name}`, message: 'is not a time' }] },
          })
        }
        return at
      }
      const from = time(query.from, 'from')
      const to = time(query.to, 'to')
      const after =
        query.cursor === undefined
          ? undefined
          : decodeTimeIdCursor(query.cursor, 'REPORTING.INVALID_CURSOR')
      const rows = await reader.audit({
        ...(query.actorId === undefined ? {} : { actorId: query.actorId }),
        ...(query.action === undefined ? {} : { action: query.action }),
        ...(query.entityType === undefined ? {} : { entityType: query.entityType }),
        ...(query.entityId === undefined ? {} : { entityId: query.entityId }),
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        ...(after === undefined ? {} : { after }),
        limit,
      })
      const items = rows.slice(0, limit)
      const last = items.at(-1)
      return {
        items,
        nextCursor:
          rows.length > limit && last
            ? encodeTimeIdCursor({ at: new Date(last.at), id: last.id })
            : null,
      }
    },
  }
}

export type Reports = ReturnType<typeof createReports>
