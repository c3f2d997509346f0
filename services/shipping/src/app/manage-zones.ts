import { randomUUID } from 'node:crypto'
import type { shipping } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { checkZoneEntries } from '../domain/zones.js'
import { auditOf, type StaffActor as Actor } from '@emporium/contracts'
import type { Zone, ZoneStore } from './ports.js'

export function zoneNotFound(): AppError {
  return new AppError('not_found', 'SHIPPING.ZONE_NOT_FOUND', 'There is no such shipping zone.')
}

/**
 * The zone use cases of the back office: create, list, read, change, delete. Staff's changes
 * (an `actor`) are audited: `shipping-zone.created|updated|deleted` (issue 19).
 */
export function createManageZones(deps: {
  zones: ZoneStore
  now: () => Date
  newId?: () => string
}) {
  const newId = deps.newId ?? randomUUID
  return {
    list: async (): Promise<shipping.ZoneList> => ({ items: await deps.zones.list() }),

    async get(id: string): Promise<Zone> {
      const zone = await deps.zones.get(id)
      if (!zone) throw zoneNotFound()
      return zone
    },

    async create(body: shipping.CreateZoneBody, actor?: Actor): Promise<Zone> {
      const zone = { id: newId(), name: body.name, countries: checkZoneEntries(body.countries) }
      const now = deps.now()
      await deps.zones.create(zone, now, auditOf<Zone>(actor, 'shipping-zone', now))
      return zone
    },

    async update(id: string, body: shipping.UpdateZoneBody, actor?: Actor): Promise<Zone> {
      const now = deps.now()
      const countries = body.countries && checkZoneEntries(body.countries)
      const zone = await deps.zones.update(
        id,
        (current) => ({
          ...current,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(countries ? { countries } : {}),
        }),
        now,
        auditOf<Zone>(actor, 'shipping-zone', now),
      )
      if (zone === 'not_found') throw zoneNotFound()
      return zone
    },

    async delete(id: string, actor?: Actor): Promise<void> {
      const outcome = await deps.zones.delete(id, auditOf<Zone>(actor, 'shipping-zone', deps.now()))
      if (outcome === 'not_found') throw zoneNotFound()
      if (outcome === 'in_use') {
        throw new AppError(
          'conflict',
          'SHIPPING.ZONE_IN_USE',
          'The zone still has methods: delete them or move them to another zone first.',
        )
      }
    },
  }
}
