/*
 * Webhooks, decided (issue 21; docs/webhooks.md for partners):
 * - Staff with `webhooks.manage` register partners' endpoints (https only, but for the
 *   development allow-list), each with the event types it takes and a signing secret.
 * - Events reach the service through the inbox: in the inbox's transaction, one delivery per
 *   enabled endpoint subscribed to the type is stored (unique per endpoint and event id), so
 *   nothing is lost between the broker and the first attempt.
 * - A dispatcher loop on every replica leases due deliveries (`FOR UPDATE SKIP LOCKED`), sends
 *   them signed as Standard Webhooks say, and records each attempt; a replica killed mid-delivery
 *   leaves its lease to expire, and the delivery is sent again with the same `webhook-id`.
 * - Retries follow WEBHOOKS_RETRY_DELAYS_MS with jitter; a per-endpoint breaker holds an
 *   endpoint's deliveries after consecutive failures and probes it with one; an endpoint failing
 *   for WEBHOOKS_DISABLE_AFTER_HOURS is disabled and `webhook.endpoint-disabled` published (the
 *   notifications service may tell its owner: not yet consumed).
 * - Every attempt resolves the endpoint's host and refuses non-public addresses (SSRF), connecting
 *   to the address it checked; no redirect is followed.
 */
import {
  createJwtVerifier,
  createLogger,
  createOutbox,
  openDatabase,
  startPeriodic,
  withAfterCommit,
  type Database,
  type JwtVerifier,
  type Logger,
  type PeriodicJob,
  type Service,
} from '@emporium/platform'
import type { Kysely } from 'kysely'
import { createDispatchDue } from './app/dispatch-deliveries.js'
import { createManageDeliveries } from './app/manage-deliveries.js'
import { createManageEndpoints } from './app/manage-endpoints.js'
import type { WebhookSender } from './app/ports.js'
import { allowedHostsOf, retryDelaysOf, type WebhooksConfig } from './config.js'
import { onPartnerEvents } from './events/on-partner-events.js'
import { webhooksRoutes } from './http/routes.js'
import { createHttpSender } from './infra/http-sender.js'
import { createSqlDeliveries, createSqlFanOut } from './infra/sql-deliveries.js'
import { createSqlDispatchQueue } from './infra/sql-dispatch-queue.js'
import { createSqlEndpoints } from './infra/sql-endpoints.js'
import type { WebhooksTables } from './infra/tables.js'

export { WebhooksConfig, loadWebhooksConfig } from './config.js'

export interface WebhooksServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: WEBHOOKS_DATABASE_URL. */
  database?: Database
  /** The clock of timestamps and schedules. */
  now?: () => Date
  /** Token verification (default: the JWKS at WEBHOOKS_JWKS_URL). */
  verifier?: JwtVerifier
  /** How deliveries are sent (default: HTTP, signed, behind the SSRF guard). */
  sender?: WebhookSender
  /** This replica's name on its leases (default: a new UUID). */
  dispatcherId?: string
}

export type WebhooksService = Service & {
  /** Sends the deliveries that are due now; resolves to how many were delivered. */
  dispatchDue(): Promise<number>
}

/** The webhooks service: partners' endpoints and the signed, retried delivery of events to them. */
export async function createWebhooksService(
  config: WebhooksConfig,
  deps: WebhooksServiceDeps = {},
): Promise<WebhooksService> {
  const log =
    deps.log ??
    createLogger({ service: 'webhooks', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const opened = (deps.database ??
    (await openDatabase(config.WEBHOOKS_DATABASE_URL, {
      name: 'webhooks',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))) as Database<WebhooksTables>
  // The consumers' transactions run on this one: a fan-out that stored deliveries wakes the
  // dispatcher once it commits.
  const { database, afterCommit } = withAfterCommit(opened)
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.WEBHOOKS_JWKS_URL,
      issuer: config.WEBHOOKS_JWT_ISSUER,
      audience: config.WEBHOOKS_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const allowedHosts = allowedHostsOf(config)
  const outbox = createOutbox({ source: 'webhooks', now })
  const endpoints = createSqlEndpoints(database.db)
  let dispatcher: PeriodicJob | undefined
  const wakeDispatcher = () => dispatcher?.wake()
  const stored = createSqlDeliveries(database.db)
  // A replay or a test delivery is due at once: the dispatcher looks now, not at its idle wait.
  const deliveries: typeof stored = {
    ...stored,
    async add(delivery) {
      await stored.add(delivery)
      wakeDispatcher()
    },
    async replay(id, at) {
      const replayed = await stored.replay(id, at)
      if (replayed) wakeDispatcher()
      return replayed
    },
  }
  const dispatchDue = createDispatchDue({
    queue: createSqlDispatchQueue(database, outbox),
    sender:
      deps.sender ?? createHttpSender({ timeoutMs: config.WEBHOOKS_TIMEOUT_MS, allowedHosts }),
    now,
    log,
    leaseMs: config.WEBHOOKS_LEASE_MS,
    retryDelaysMs: retryDelaysOf(config),
    jitter: config.WEBHOOKS_RETRY_JITTER,
    breakerFailures: config.WEBHOOKS_BREAKER_FAILURES,
    breakerCooldownMs: config.WEBHOOKS_BREAKER_COOLDOWN_MS,
    disableAfterMs: config.WEBHOOKS_DISABLE_AFTER_HOURS * 3_600_000,
    batchSize: config.WEBHOOKS_BATCH_SIZE,
    ...(deps.dispatcherId === undefined ? {} : { owner: deps.dispatcherId }),
  })

  return {
    name: 'webhooks',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: onPartnerEvents({
      fanOutIn: (trx) => {
        const fanOut = createSqlFanOut(trx as Kysely<WebhooksTables>)
        return {
          async store(event) {
            const count = await fanOut.store(event)
            if (count > 0) afterCommit(trx, wakeDispatcher)
            return count
          },
        }
      },
      now,
    }),
    routes: webhooksRoutes({
      verifier,
      endpoints: createManageEndpoints({ endpoints, deliveries, allowedHosts, now }),
      deliveries: createManageDeliveries({ endpoints, deliveries, now }),
    }),
    dispatchDue,
    async start() {
      if (config.WEBHOOKS_DISPATCH_INTERVAL_MS <= 0) return
      dispatcher = startPeriodic({
        everyMs: config.WEBHOOKS_DISPATCH_INTERVAL_MS,
        // At rest (no endpoint, or nothing due), a look every few seconds: this replica's
        // fan-outs, replays and test deliveries wake it; the looks find retries that came due
        // and deliveries whose lease ran out.
        maxEveryMs: Math.max(config.WEBHOOKS_DISPATCH_INTERVAL_MS, 4_000),
        log,
        what: 'webhook dispatch',
        run: dispatchDue,
      })
    },
    async close() {
      await dispatcher?.stop()
      if (!deps.database) await database.close()
    },
  }
}
