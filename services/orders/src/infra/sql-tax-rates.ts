import type { Database } from '@emporium/platform'
import type { Kysely } from 'kysely'
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

/** Tax rates in orders' database (PostgreSQL or PGlite). */
export function createSqlTaxRates(database: Database): TaxRateStore {
  const db = database.db as Kysely<TaxRatesTables>
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
    async upsert(rate) {
      const row = await db
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
      return toRate(row)
    },
    async remove(id) {
      const result = await db.deleteFrom('tax_rates').where('id', '=', id).executeTakeFirst()
      return result.numDeletedRows > 0n
    },
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
