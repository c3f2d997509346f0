import type { Database, Outbox } from '@emporium/platform'
import type { Zone, ZoneStore } from '../app/ports.js'
import type { ZoneEntry } from '../domain/zones.js'
import { recordChange } from './audit-outbox.js'
import { fromJson, type ShippingTables } from './tables.js'

type ZoneRow = { id: string; name: string; countries: unknown }

export const zoneOf = (row: ZoneRow): Zone => ({
  id: row.id,
  name: row.name,
  countries: fromJson<ZoneEntry[]>(row.countries),
})

/**
 * Zones in PostgreSQL (PGlite embedded); a zone's entries are read and written whole. A staff
 * change's audit event goes to `outbox` in its transaction (issue 19).
 */
export function createSqlZones(database: Database<ShippingTables>, outbox: Outbox): ZoneStore {
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

    create: (zone, now, record) =>
      database.transaction(async (trx) => {
        await trx
          .insertInto('shipping_zones')
          .values({
            id: zone.id,
            name: zone.name,
            countries: JSON.stringify(zone.countries),
            created_at: now,
            updated_at: now,
          })
          .execute()
        await recordChange(outbox, trx, record, undefined, zone)
      }),

    update: (id, change, now, record) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipping_zones')
          .select(columns)
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return 'not_found' as const
        const before = zoneOf(row)
        const zone = change(before)
        await trx
          .updateTable('shipping_zones')
          .set({ name: zone.name, countries: JSON.stringify(zone.countries), updated_at: now })
          .where('id', '=', id)
          .execute()
        await recordChange(outbox, trx, record, before, zone)
        return zone
      }),

    delete: (id, record) =>
      database.transaction(async (trx) => {
        const row = await trx
          .selectFrom('shipping_zones')
          .select(columns)
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
        await recordChange(outbox, trx, record, zoneOf(row), undefined)
        return 'deleted' as const
      }),
  }
}
