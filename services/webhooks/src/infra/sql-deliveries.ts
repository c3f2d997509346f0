import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Selectable } from 'kysely'
import type { webhooks } from '@emporium/contracts'
import type { DeliveryFanOut, DeliveryStore, StoredDelivery } from '../app/ports.js'
import { fromJson, type WebhooksTables } from './tables.js'

type Row = Selectable<WebhooksTables['webhook_deliveries']>

function deliveryOf(row: Row): StoredDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    type: row.type as webhooks.WebhookEventType,
    body: row.body,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastResponseStatus: row.last_response_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** A new series of attempts, due at once; its event id (`webhook-id`) stays. */
const newSeries = (at: Date) => ({
  status: 'pending' as const,
  attempts: 0,
  series: sql<number>`series + 1`,
  next_attempt_at: at,
  lease_owner: null,
  lease_until: null,
  updated_at: at,
})

/** An enabled endpoint and the event types it subscribes to. */
interface Subscriber {
  id: string
  types: ReadonlySet<string>
}

/**
 * The enabled endpoints, read once per transaction: a consumer's batch stores each of its events
 * through the same transaction, so one read serves the batch (it was one per event, 3.4
 * statements per checkout). An endpoint enabled or subscribed while a batch runs gets the events
 * of the batches after it, as if the change had committed a moment later.
 */
const subscribersOf = new WeakMap<object, Promise<Subscriber[]>>()

function subscribers(trx: Kysely<WebhooksTables>): Promise<Subscriber[]> {
  let read = subscribersOf.get(trx)
  if (!read) {
    read = trx
      .selectFrom('webhook_endpoints')
      .select(['id', 'event_types'])
      .where('status', '=', 'enabled')
      .orderBy('id')
      .execute()
      .then((rows) =>
        rows.map((row) => ({
          id: row.id,
          types: new Set(fromJson<string[]>(row.event_types)),
        })),
      )
    subscribersOf.set(trx, read)
    read.catch(() => subscribersOf.delete(trx))
  }
  return read
}

/**
 * The consumers' writes, in the inbox's transaction: one delivery per enabled endpoint subscribed
 * to the type; the unique (endpoint, event id) makes a redelivered event store nothing twice.
 */
export function createSqlFanOut(trx: Kysely<WebhooksTables>): DeliveryFanOut {
  return {
    async store(event) {
      const endpoints = (await subscribers(trx)).filter((s) => s.types.has(event.type))
      if (endpoints.length === 0) return 0
      const result = await trx
        .insertInto('webhook_deliveries')
        .values(
          endpoints.map((endpoint) => ({
            id: randomUUID(),
            endpoint_id: endpoint.id,
            event_id: event.eventId,
            type: event.type,
            body: event.body,
            status: 'pending' as const,
            next_attempt_at: event.at,
            created_at: event.at,
            updated_at: event.at,
          })),
        )
        .onConflict((oc) => oc.columns(['endpoint_id', 'event_id']).doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0)
    },
  }
}

/** The delivery log and replays. */
export function createSqlDeliveries(db: Kysely<WebhooksTables>): DeliveryStore {
  return {
    async add(delivery) {
      await db
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          endpoint_id: delivery.endpointId,
          event_id: delivery.eventId,
          type: delivery.type,
          body: delivery.body,
          status: 'pending',
          next_attempt_at: delivery.at,
          created_at: delivery.at,
          updated_at: delivery.at,
        })
        .execute()
    },

    async get(id) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && deliveryOf(row)
    },

    async attemptsOf(id) {
      const rows = await db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', id)
        .orderBy('started_at')
        .orderBy('series')
        .execute()
      return rows.map((row) => ({
        startedAt: row.started_at,
        durationMs: Number(row.duration_ms),
        ...(row.response_status === null ? {} : { responseStatus: row.response_status }),
        ...(row.error === null ? {} : { error: row.error }),
        ...(row.response_body === null ? {} : { responseBody: row.response_body }),
      }))
    },

    async list({ endpointId, status, limit, after }) {
      let query = db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('endpoint_id', '=', endpointId)
      if (status) query = query.where('status', '=', status)
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
      return rows.map(deliveryOf)
    },

    async replay(id, at) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set(newSeries(at))
        .where('id', '=', id)
        .executeTakeFirst()
      return Number(result.numUpdatedRows) > 0
    },

    async countInRange(endpointId, from, to) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<string | number>().as('n'))
        .where('endpoint_id', '=', endpointId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },

    async replayRange(endpointId, from, to, at) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set(newSeries(at))
        .where('endpoint_id', '=', endpointId)
        .where('created_at', '>=', from)
        .where('created_at', '<', to)
        .executeTakeFirst()
      return Number(result.numUpdatedRows)
    },
  }
}
