import { sql, type Kysely } from 'kysely'
import type { AuditFilter, ReportReader } from '../app/ports.js'
import type { DaySums } from '../domain/figures.js'
import { fromJson, type ReportingTables } from './tables.js'

const num = (value: unknown): number => Number(value ?? 0)

/** The read side: figures summed over the facts at query time (ports.ts: `ReportReader`). */
export function createSqlReports(db: Kysely<ReportingTables>): ReportReader {
  return {
    async daySums(from, to, currency) {
      const sums = new Map<string, DaySums>()
      const day = (date: string) => {
        let found = sums.get(date)
        if (!found) {
          found = { captures: 0, captured: 0, refunds: 0, refunded: 0, placed: 0, started: 0 }
          sums.set(date, found)
        }
        return found
      }
      const money = await db
        .selectFrom('reporting_payments')
        .select(['day', 'kind'])
        .select((eb) => [eb.fn.countAll().as('count'), eb.fn.sum('amount').as('amount')])
        .where('day', '>=', from)
        .where('day', '<=', to)
        .where('currency', '=', currency)
        .groupBy(['day', 'kind'])
        .execute()
      for (const row of money) {
        const sum = day(row.day.trim())
        if (row.kind === 'capture') {
          sum.captures = num(row.count)
          sum.captured = num(row.amount)
        } else {
          sum.refunds = num(row.count)
          sum.refunded = num(row.amount)
        }
      }
      const placed = await db
        .selectFrom('reporting_orders')
        .select('placed_day')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('placed_day', '>=', from)
        .where('placed_day', '<=', to)
        .where('currency', '=', currency)
        .groupBy('placed_day')
        .execute()
      for (const row of placed) day(row.placed_day!.trim()).placed = num(row.count)
      // Carts have no currency: each currency's report counts them all.
      const started = await db
        .selectFrom('reporting_carts')
        .select('day')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('day', '>=', from)
        .where('day', '<=', to)
        .groupBy('day')
        .execute()
      for (const row of started) day(row.day.trim()).started = num(row.count)
      return sums
    },

    async topProducts(from, to, currency, limit) {
      const rows = await db
        .selectFrom('reporting_order_lines as l')
        .innerJoin('reporting_orders as o', 'o.order_id', 'l.order_id')
        .select(['l.product_id', 'l.variant_id'])
        .select((eb) => [
          eb.fn.max('l.name').as('name'),
          eb.fn.sum('l.quantity').as('quantity'),
          eb.fn.sum(sql<number>`l.unit_price * l.quantity`).as('revenue'),
        ])
        .where('o.confirmed_day', '>=', from)
        .where('o.confirmed_day', '<=', to)
        .where('o.cancelled_at', 'is', null)
        .where('l.currency', '=', currency)
        .groupBy(['l.product_id', 'l.variant_id'])
        .orderBy('revenue', 'desc')
        .orderBy('quantity', 'desc')
        .orderBy('l.product_id')
        .orderBy('l.variant_id')
        .limit(limit)
        .execute()
      return rows.map((row) => ({
        productId: row.product_id,
        ...(row.variant_id === null ? {} : { variantId: row.variant_id }),
        name: row.name ?? '',
        quantity: num(row.quantity),
        revenue: { amount: num(row.revenue), currency },
      }))
    },

    async customer(userId, currency) {
      const rows = await db
        .selectFrom('reporting_payments')
        .select('kind')
        .select((eb) => [
          eb.fn.countAll().as('count'),
          eb.fn.sum('amount').as('amount'),
          eb.fn.min('at').as('first'),
          eb.fn.max('at').as('last'),
        ])
        .where('user_id', '=', userId)
        .where('currency', '=', currency)
        .groupBy('kind')
        .execute()
      const capture = rows.find((row) => row.kind === 'capture')
      const refund = rows.find((row) => row.kind === 'refund')
      const at = (value: unknown) => (value ? new Date(value as string).toISOString() : null)
      return {
        userId,
        orders: num(capture?.count),
        lifetimeValue: { amount: num(capture?.amount) - num(refund?.amount), currency },
        refunded: { amount: num(refund?.amount), currency },
        firstOrderAt: at(capture?.first),
        lastOrderAt: at(capture?.last),
      }
    },

    async timeline(orderId) {
      const rows = await db
        .selectFrom('reporting_order_events')
        .select(['event_id', 'type', 'source', 'occurred_at', 'data'])
        .where('order_id', '=', orderId)
        .orderBy('occurred_at')
        .orderBy('seq')
        .execute()
      return rows.map((row) => ({
        eventId: row.event_id,
        type: row.type,
        source: row.source,
        occurredAt: new Date(row.occurred_at).toISOString(),
        data: fromJson(row.data),
      }))
    },

    async audit(filter: AuditFilter) {
      let query = db.selectFrom('audit_trail').selectAll()
      if (filter.actorId !== undefined) query = query.where('actor_id', '=', filter.actorId)
      if (filter.action !== undefined) query = query.where('action', '=', filter.action)
      if (filter.entityType !== undefined) {
        query = query.where('entity_type', '=', filter.entityType)
      }
      if (filter.entityId !== undefined) query = query.where('entity_id', '=', filter.entityId)
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from)
      if (filter.to !== undefined) query = query.where('at', '<=', filter.to)
      const after = filter.after
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('at', '<', after.at),
            eb.and([eb('at', '=', after.at), eb('id', '<', after.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit + 1)
        .execute()
      return rows.map((row) => ({
        id: row.id,
        actor: { userId: row.actor_id, roles: fromJson<string[]>(row.actor_roles) },
        action: row.action,
        entity: { type: row.entity_type, id: row.entity_id },
        before: row.before === null ? null : fromJson(row.before),
        after: row.after === null ? null : fromJson(row.after),
        at: new Date(row.at).toISOString(),
        source: row.source,
      }))
    },
  }
}
