import { randomUUID } from 'node:crypto'
import { sql, type Kysely, type Transaction } from 'kysely'
import { webhooks } from '@emporium/contracts'
import type { Database, Outbox } from '@emporium/platform'
import type { ClaimedDelivery, DispatchQueue } from '../app/ports.js'
import type { WebhooksTables } from './tables.js'

type Db = Kysely<WebhooksTables> | Transaction<WebhooksTables>

interface Claim {
  now: Date
  owner: string
  leaseUntil: Date
  limit: number
}

/**
 * Leases due deliveries: `FOR UPDATE SKIP LOCKED` in the statement that pushes their next attempt
 * past the lease, so dispatchers never claim one delivery at once, and one that died leaves its
 * claims to come due again when the lease ends. `endpoint` narrows it to one endpoint (a probe).
 */
async function claimRows(
  db: Db,
  claim: Claim,
  where: { breakerFailures: number } | { endpoint: string },
) {
  const ids = db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .select('d.id')
    .where('d.status', '=', 'pending')
    .where('d.next_attempt_at', '<=', claim.now)
    .where('e.status', '=', 'enabled')
    .$call((q) =>
      'endpoint' in where
        ? q.where('e.id', '=', where.endpoint)
        : q.where('e.consecutive_failures', '<', where.breakerFailures),
    )
    .orderBy('d.next_attempt_at')
    .limit(claim.limit)
    .modifyEnd(sql`for update of d skip locked`)
  return db
    .updateTable('webhook_deliveries')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: claim.leaseUntil,
      lease_owner: claim.owner,
      lease_until: claim.leaseUntil,
    }))
    .where('id', 'in', ids)
    .returning(['id', 'endpoint_id', 'event_id', 'body', 'attempts', 'series'])
    .execute()
}

/** The dispatcher's queue over the shared tables (PostgreSQL; PGlite embedded). */
export function createSqlDispatchQueue(
  database: Database<WebhooksTables>,
  outbox: Outbox,
): DispatchQueue {
  const { db } = database
  return {
    async claim(options) {
      const claim = { now: options.now, owner: options.owner, leaseUntil: options.leaseUntil }
      const rows = await claimRows(
        db,
        { ...claim, limit: options.limit },
        { breakerFailures: options.breakerFailures },
      )
      // Half-open: an endpoint whose breaker's wait is over gets one probe, and its breaker
      // stays open until `probeUntil` (the probe's outcome closes it or opens it again).
      const probes = await database.transaction(async (trx) => {
        const opened = await trx
          .updateTable('webhook_endpoints as e')
          .set({ breaker_open_until: options.probeUntil })
          .where('e.status', '=', 'enabled')
          .where('e.consecutive_failures', '>=', options.breakerFailures)
          .where((eb) =>
            eb.or([
              eb('e.breaker_open_until', 'is', null),
              eb('e.breaker_open_until', '<=', options.now),
            ]),
          )
          .where(({ exists, selectFrom }) =>
            exists(
              selectFrom('webhook_deliveries as d')
                .select('d.id')
                .whereRef('d.endpoint_id', '=', 'e.id')
                .where('d.status', '=', 'pending')
                .where('d.next_attempt_at', '<=', options.now),
            ),
          )
          .returning('e.id')
          .execute()
        const claimed = []
        for (const { id } of opened) {
          claimed.push(...(await claimRows(trx, { ...claim, limit: 1 }, { endpoint: id })))
        }
        return claimed
      })
      const all = [...rows, ...probes]
      if (all.length === 0) return []
      const endpoints = await db
        .selectFrom('webhook_endpoints')
        .select(['id', 'url', 'secret', 'previous_secret', 'previous_secret_expires_at'])
        .where('id', 'in', [...new Set(all.map((row) => row.endpoint_id))])
        .execute()
      const byId = new Map(endpoints.map((endpoint) => [endpoint.id, endpoint]))
      return all.flatMap((row): ClaimedDelivery[] => {
        const endpoint = byId.get(row.endpoint_id)
        if (!endpoint) return [] // deleted meanwhile: its deliveries went with it
        const previous =
          endpoint.previous_secret !== null &&
          endpoint.previous_secret_expires_at !== null &&
          endpoint.previous_secret_expires_at > options.now
            ? [endpoint.previous_secret]
            : []
        return [
          {
            id: row.id,
            endpointId: row.endpoint_id,
            eventId: row.event_id,
            body: row.body,
            attempt: Number(row.attempts),
            series: Number(row.series),
            url: endpoint.url,
            secrets: [endpoint.secret, ...previous],
          },
        ]
      })
    },

    async record(options) {
      const { delivery, attempt, result, now } = options
      const failed = result.kind !== 'delivered'
      await database.transaction(async (trx) => {
        await trx
          .insertInto('webhook_attempts')
          .values({
            id: randomUUID(),
            delivery_id: delivery.id,
            series: delivery.series,
            started_at: attempt.startedAt,
            duration_ms: Math.round(attempt.durationMs),
            response_status: attempt.responseStatus ?? null,
            error: attempt.error ?? null,
            response_body: attempt.responseBody ?? null,
          })
          .execute()
        await trx
          .updateTable('webhook_deliveries')
          .set({
            status: result.kind === 'retry' ? 'pending' : result.kind,
            ...(result.kind === 'retry' ? { next_attempt_at: result.at } : {}),
            lease_owner: null,
            lease_until: null,
            last_response_status: attempt.responseStatus ?? null,
            last_error: attempt.error ?? null,
            updated_at: now,
          })
          .where('id', '=', delivery.id)
          .where('status', '=', 'pending')
          .where('lease_owner', '=', options.owner)
          .execute()
        if (!failed) {
          await trx
            .updateTable('webhook_endpoints')
            .set({ consecutive_failures: 0, failing_since: null, breaker_open_until: null })
            .where('id', '=', delivery.endpointId)
            .execute()
          return
        }
        await trx
          .updateTable('webhook_endpoints')
          .set((eb) => ({
            consecutive_failures: eb('consecutive_failures', '+', 1),
            failing_since: eb.fn.coalesce('failing_since', eb.val(attempt.startedAt)),
            breaker_open_until: eb
              .case()
              .when('consecutive_failures', '>=', options.breakerFailures - 1)
              .then(options.openUntil)
              .else(eb.ref('breaker_open_until'))
              .end(),
          }))
          .where('id', '=', delivery.endpointId)
          .execute()
        const disabled = await trx
          .updateTable('webhook_endpoints')
          .set({ status: 'disabled', disabled_reason: 'failing', updated_at: now })
          .where('id', '=', delivery.endpointId)
          .where('status', '=', 'enabled')
          .where('failing_since', '<=', options.disableBefore)
          .returning(['id', 'url', 'created_by', 'failing_since'])
          .executeTakeFirst()
        if (disabled) {
          await outbox.add(trx, webhooks.EndpointDisabled, {
            endpointId: disabled.id,
            url: disabled.url,
            createdBy: disabled.created_by,
            failingSince: (disabled.failing_since ?? now).toISOString(),
            at: now.toISOString(),
          })
        }
      })
    },
  }
}
