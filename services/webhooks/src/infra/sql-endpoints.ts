import type { Kysely, Selectable } from 'kysely'
import type { webhooks } from '@emporium/contracts'
import type { EndpointStore, StoredEndpoint } from '../app/ports.js'
import { fromJson, type WebhooksTables } from './tables.js'

type Row = Selectable<WebhooksTables['webhook_endpoints']>

export function endpointOf(row: Row): StoredEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: fromJson<webhooks.WebhookEventType[]>(row.event_types),
    description: row.description,
    status: row.status,
    disabledReason: row.disabled_reason,
    createdBy: row.created_by,
    secret: row.secret,
    previousSecret: row.previous_secret,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    secretRotatedAt: row.secret_rotated_at,
    failingSince: row.failing_since,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function columnsOf(endpoint: StoredEndpoint) {
  return {
    url: endpoint.url,
    event_types: JSON.stringify(endpoint.eventTypes),
    description: endpoint.description,
    status: endpoint.status,
    disabled_reason: endpoint.disabledReason,
    secret: endpoint.secret,
    previous_secret: endpoint.previousSecret,
    previous_secret_expires_at: endpoint.previousSecretExpiresAt,
    secret_rotated_at: endpoint.secretRotatedAt,
    failing_since: endpoint.failingSince,
    updated_at: endpoint.updatedAt,
  }
}

/** Endpoints in PostgreSQL (PGlite embedded). */
export function createSqlEndpoints(db: Kysely<WebhooksTables>): EndpointStore {
  return {
    async create(endpoint) {
      await db
        .insertInto('webhook_endpoints')
        .values({
          id: endpoint.id,
          created_by: endpoint.createdBy,
          created_at: endpoint.createdAt,
          ...columnsOf(endpoint),
        })
        .execute()
    },

    async get(id) {
      const row = await db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && endpointOf(row)
    },

    async list({ limit, after }) {
      let query = db.selectFrom('webhook_endpoints').selectAll()
      if (after) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.at),
            eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
          ]),
        )
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute()
      return rows.map(endpointOf)
    },

    update: (id, change) =>
      db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('webhook_endpoints')
          .selectAll()
          .where('id', '=', id)
          .forUpdate()
          .executeTakeFirst()
        if (!row) return undefined
        const before = endpointOf(row)
        const after = change(before)
        const reset = after.failingSince === null && before.failingSince !== null
        await trx
          .updateTable('webhook_endpoints')
          .set({
            ...columnsOf(after),
            // Enabled again: the breaker starts closed.
            ...(reset ? { consecutive_failures: 0, breaker_open_until: null } : {}),
          })
          .where('id', '=', id)
          .execute()
        return after
      }),

    async delete(id) {
      const result = await db
        .deleteFrom('webhook_endpoints')
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numDeletedRows) > 0
    },
  }
}
