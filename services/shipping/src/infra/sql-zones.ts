import type { Database } from '@emporium/platform'
import type { Zone, ZoneStore } from '../app/ports.js'
import type { ZoneEntry } from '../domain/zones.js'
import { fromJson, type ShippingTables } from './tables.js'

type ZoneRow = { id: string; name: string; countries: unknown }

export const zoneOf = (row: ZoneRow): Zone => ({
  id: row.id,
  name: row.name,
  countries: fromJson<ZoneEntry[]>(row.countries),
})

/** Zones in PostgreSQL (PGlite embedded); a zone's entries are read and written whole. */
export function createSqlZones(database: Database<ShippingTables>): ZoneStore {
  const { db } = database
  const columns = ['id', 'name', 'countries'] as const
  return {
    list: async () =>
      (
        await db
          .selectFrom('shipping_zones')
          .select(columns)
          .orderBy('name')
          .orderBy('id')
          .execute()
      ).map(zoneOf),

    async get(id) {
      const row = await db
        .selectFrom('shipping_zones')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirst()
      return row && zoneOf(row)
    },

    async create(zone, now) {
      await db
        .insertInto('shipping_zones')
        .values({
          id: zone.id,
          name: zone.name,
          countries: JSON.stringify(zone.countries),
          created_at: now,
          updated_at: now,
        })
        .execute()
    },

    update: (id, change, now) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipping_zones')
          .select(columns)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        const zone = change(zoneOf(row))
        await trx
          .updateTable('shipping_zones')
          .set({ name: zone.name, countries: JSON.stringify(zone.countries), updated_at: now })
          .where('id', '=', id)
          .execute()
        return zone
      }),

    delete: (id) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipping_zones')
          .select('id')
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        // A method created meanwhile checks its zone under a share lock of this row: it waits.
        const used = await trx
          .selectFrom('shipping_methods')
          .select('id')
          .where('zone_id', '=', id)
          .limit(1)
          .executeTakeFirst()
        if (used) return 'in_use' as const
        await trx.deleteFrom('shipping_zones').where('id', '=', id).execute()
        return 'deleted' as const
      }),
  }
}
