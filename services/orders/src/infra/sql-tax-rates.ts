import { audit } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { Kysely, Transaction } from 'kysely'
import type { StoredTaxRate, TaxRateStore } from '../app/manage-tax-rates.js'

/** The `tax_rates` table (migration 008). */
interface TaxRatesTables {
  tax_rates: {
    id: string
    country: string
    region: string | null
    tax_class: string
    rate_basis_points: number
  }
}

const columns = ['id', 'country', 'region', 'tax_class', 'rate_basis_points'] as const

/**
 * Tax rates in orders' database (PostgreSQL or PGlite); a staff change's audit event goes to
 * `outbox` in its transaction (issue 19).
 */
export function createSqlTaxRates(database: Database, outbox: Outbox): TaxRateStore {
  const db = database.db as Kysely<TaxRatesTables>
  const inTransaction = <T>(fn: (trx: Transaction<TaxRatesTables>) => Promise<T>) =>
    db.transaction().execute(fn)
  const all = () =>
    db
      .selectFrom('tax_rates')
      .select(columns)
      .orderBy('country')
      .orderBy('region', (o) => o.asc().nullsFirst())
      .orderBy('tax_class')
  return {
    async list() {
      return (await all().execute()).map(toRate)
    },
    async forCountry(country) {
      return (await all().where('country', '=', country.toUpperCase()).execute()).map(toRate)
    },
    upsert: (rate, record) =>
      inTransaction(async (trx) => {
        let existing = trx
          .selectFrom('tax_rates')
          .select(columns)
          .where('country', '=', rate.country)
          .where('tax_class', '=', rate.taxClass)
        existing =
          rate.region === null
            ? existing.where('region', 'is', null)
            : existing.where('region', '=', rate.region)
        const found = await existing.forUpdate().executeTakeFirst()
        const row = await trx
          .insertInto('tax_rates')
          .values({
            id: rate.id,
            country: rate.country,
            region: rate.region,
            tax_class: rate.taxClass,
            rate_basis_points: rate.rateBasisPoints,
          })
          .onConflict((oc) =>
            oc
              .constraint('tax_rates_destination_class_key')
              .doUpdateSet((eb) => ({ rate_basis_points: eb.ref('excluded.rate_basis_points') })),
          )
          .returning(columns)
          .executeTakeFirstOrThrow()
        const stored = toRate(row)
        const data = record?.(found && toRate(found), stored)
        if (data) await outbox.add(trx, audit.AuditRecorded, data)
        return stored
      }),
    remove: (id, record) =>
      inTransaction(async (trx) => {
        const row = await trx
          .deleteFrom('tax_rates')
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirst()
        if (!row) return false
        const data = record?.(toRate(row), undefined)
        if (data) await outbox.add(trx, audit.AuditRecorded, data)
        return true
      }),
  }
}

function toRate(row: TaxRatesTables['tax_rates']): StoredTaxRate {
  return {
    id: row.id,
    country: row.country,
    region: row.region,
    taxClass: row.tax_class,
    rateBasisPoints: row.rate_basis_points,
  }
}
