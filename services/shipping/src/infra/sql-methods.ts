import type { Transaction } from 'kysely'
import type { Database, Outbox } from '@emporium/platform'
import type { Method, MethodStore, QuoteSource } from '../app/ports.js'
import { recordChange } from './audit-outbox.js'
import { zoneOf } from './sql-zones.js'
import { fromJson, type ShippingTables } from './tables.js'

type MethodRow = {
  id: string
  zone_id: string
  name: string
  carrier: string
  basis: Method['basis']
  currency: string
  rates: unknown
  free_above: string | number | null
  days_min: number | null
  days_max: number | null
  active: boolean
}

const columns = [
  'id',
  'zone_id',
  'name',
  'carrier',
  'basis',
  'currency',
  'rates',
  'free_above',
  'days_min',
  'days_max',
  'active',
] as const

/** Every price of a method is in its one currency (checked before): kept once, in a column. */
function methodOf(row: MethodRow): Method {
  const currency = row.currency
  const rates = fromJson<Array<{ from: number; amount: number }>>(row.rates)
  return {
    id: row.id,
    zoneId: row.zone_id,
    name: row.name,
    carrier: row.carrier,
    basis: row.basis,
    rates: rates.map((rate) => ({ from: rate.from, price: { amount: rate.amount, currency } })),
    ...(row.free_above !== null ? { freeAbove: { amount: Number(row.free_above), currency } } : {}),
    ...(row.days_min !== null && row.days_max !== null
      ? { estimatedDays: { min: row.days_min, max: row.days_max } }
      : {}),
    active: row.active,
  }
}

function rowOf(method: Method) {
  return {
    zone_id: method.zoneId,
    name: method.name,
    carrier: method.carrier,
    basis: method.basis,
    currency: method.rates[0]!.price.currency,
    rates: JSON.stringify(method.rates.map((r) => ({ from: r.from, amount: r.price.amount }))),
    free_above: method.freeAbove?.amount ?? null,
    days_min: method.estimatedDays?.min ?? null,
    days_max: method.estimatedDays?.max ?? null,
    active: method.active,
  }
}

/** Whether the zone exists, held (share lock) so that it is not deleted before the commit. */
async function zoneExists(trx: Transaction<ShippingTables>, zoneId: string): Promise<boolean> {
  const row = await trx
    .selectFrom('shipping_zones')
    .select('id')
    .where('id', '=', zoneId)
    .forShare()
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Methods in PostgreSQL (PGlite embedded); also the quotes' source. A staff change's audit event
 * goes to `outbox` in its transaction (issue 19).
 */
export function createSqlMethods(
  database: Database<ShippingTables>,
  outbox: Outbox,
): MethodStore & QuoteSource {
  const { db } = database
  return {
    async list(filter) {
      let query = db.selectFrom('shipping_methods').select(columns)
      if (filter.zoneId !== undefined) query = query.where('zone_id', '=', filter.zoneId)
      return (await query.orderBy('zone_id').orderBy('name').orderBy('id').execute()).map(methodOf)
    },

    async get(id) {
      const row = await db
        .selectFrom('shipping_methods')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirst()
      return row && methodOf(row)
    },

    create: (method, now, record) =>
      database.transaction(async (trx) => {
        if (!(await zoneExists(trx, method.zoneId))) return 'zone_not_found' as const
        await trx
          .insertInto('shipping_methods')
          .values({ id: method.id, ...rowOf(method), created_at: now, updated_at: now })
          .execute()
        await recordChange(outbox, trx, record, undefined, method)
        return 'created' as const
      }),

    update: (id, change, now, record) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipping_methods')
          .select(columns)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        const before = methodOf(row)
        const method = change(before)
        if (method.zoneId !== row.zone_id && !(await zoneExists(trx, method.zoneId))) {
          return 'zone_not_found' as const
        }
        await trx
          .updateTable('shipping_methods')
          .set({ ...rowOf(method), updated_at: now })
          .where('id', '=', id)
          .execute()
        await recordChange(outbox, trx, record, before, method)
        return method
      }),

    delete: (id, record) =>
      database.transaction(async (trx) => {
        const row = await trx
          .deleteFrom('shipping_methods')
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        await recordChange(outbox, trx, record, methodOf(row), undefined)
        return 'deleted' as const
      }),

    async zonesAndActiveMethods() {
      const [zones, methods] = await Promise.all([
        db.selectFrom('shipping_zones').select(['id', 'name', 'countries']).execute(),
        db.selectFrom('shipping_methods').select(columns).where('active', '=', true).execute(),
      ])
      return { zones: zones.map(zoneOf), methods: methods.map(methodOf) }
    },
  }
}
