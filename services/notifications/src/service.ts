/*
 * What the notifications service decided:
 * - The order status projection is built from the orders service's events alone (never its
 *   API or database), written in each event's inbox transaction: a status only moves forward
 *   by rank, so late, repeated and reordered events leave it the same (domain/order-status.ts).
 * - Status streams read the shared database: a change consumed by any replica reaches the
 *   streams of every replica (a poll per interval, plus the change itself handed over after
 *   commit when the consumer ran on this replica).
 * - Messages are rendered when their event arrives and stored (one per event and template);
 *   a dispatcher loop sends them through the configured sender, at least once, with retries.
 * - Shipments (`shipment.created`, from the shipping service) are mailed with the items named from
 *   a copy of the order kept from its `order.confirmed` (the shipment names variant ids only),
 *   to the guest's address kept there or the account's.
 */
import {
  createJwtVerifier,
  createLogger,
  openDatabase,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
  startPeriodic,
  type PeriodicJob,
  withAfterCommit,
} from '@emporium/platform'
import type { Kysely } from 'kysely'
import { createChangeFeed } from './app/change-feed.js'
import { createDispatchPending } from './app/dispatch-messages.js'
import { createFollowOrder } from './app/follow-order.js'
import type { ConsumerPortsIn, Sender } from './app/ports.js'
import type { NotificationsConfig } from './config.js'
import {
  onOrderCancelled,
  onOrderConfirmed,
  onOrderPaymentFailed,
  onOrderPaymentRequested,
  onOrderPlaced,
  onOrderShipped,
} from './events/on-order-events.js'
import { onPaymentRefunded } from './events/on-payment-refunded.js'
import { onShipmentCreated } from './events/on-shipment-created.js'
import { onUserRegistered } from './events/on-user-registered.js'
import { onVerificationRequested } from './events/on-verification-requested.js'
import { onPasswordResetRequested } from './events/on-password-reset-requested.js'
import { onStaffInvited } from './events/on-staff-invited.js'
import { onWebhookEndpointDisabled } from './events/on-webhook-endpoint-disabled.js'
import { notificationsRoutes } from './http/routes.js'
import { senderFromConfig } from './infra/senders.js'
import { createSqlMessageQueue, createSqlNotificationWriter } from './infra/sql-messages.js'
import { createSqlStatusReader } from './infra/sql-projection.js'
import { createSqlStreamSlots } from './infra/sql-stream-slots.js'
import type { NotificationTables } from './infra/tables.js'

export { NotificationsConfig, loadNotificationsConfig } from './config.js'
export type { OutgoingMessage, Sender } from './app/ports.js'

export interface NotificationsServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: the configured one. */
  database?: Database
  now?: () => Date
  /** Token verification (default: the JWKS at NOTIFICATIONS_JWKS_URL). */
  verifier?: JwtVerifier
  /** Where messages go (default: NOTIFICATIONS_SENDER). Closed by the caller when given. */
  sender?: Sender
  /** Period of the dispatcher loop; 0 runs none (tests call `dispatchPending`). Default 500. */
  dispatchIntervalMs?: number
}

export type NotificationsService = Service & {
  /** Sends the messages that are due now; resolves to how many were sent. */
  dispatchPending(): Promise<number>
}

/** The notifications service: order status streams and the shopper's e-mails. */
export async function createNotificationsService(
  config: NotificationsConfig,
  deps: NotificationsServiceDeps = {},
): Promise<NotificationsService> {
  const log =
    deps.log ??
    createLogger({ service: 'notifications', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const opened =
    deps.database ??
    (await openDatabase(config.NOTIFICATIONS_DATABASE_URL, {
      name: 'notifications',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))
  const { database, afterCommit } = withAfterCommit(opened)
  const db = database.db as Kysely<NotificationTables>
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.NOTIFICATIONS_JWKS_URL,
      issuer: config.NOTIFICATIONS_JWT_ISSUER,
      audience: config.NOTIFICATIONS_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const sender = deps.sender ?? senderFromConfig(config.NOTIFICATIONS_SENDER, log)

  const reader = createSqlStatusReader(db)
  const feed = createChangeFeed({ reader, pollMs: config.NOTIFICATIONS_STREAM_POLL_MS, log })
  const shutdown = new AbortController()
  let dispatcher: PeriodicJob | undefined
  const portsIn: ConsumerPortsIn = (trx) => {
    const writer = createSqlNotificationWriter(trx as Kysely<NotificationTables>, now)
    // A message queued: the dispatcher looks once the transaction commits (its idle wait may
    // have grown to seconds).
    const queued = () => afterCommit(trx, () => dispatcher?.wake())
    return {
      writer: {
        ...writer,
        enqueue: async (message) => {
          await writer.enqueue(message)
          queued()
        },
        applyStatus: async (fact, eventId, message) => {
          const changed = await writer.applyStatus(fact, eventId, message)
          if (message) queued()
          return changed
        },
      },
      changedAfterCommit: (change) => afterCommit(trx, () => feed.notify(change)),
    }
  }
  const consumerDeps = { portsIn, publicUrl: config.NOTIFICATIONS_PUBLIC_URL }
  const dispatchPending = createDispatchPending({
    queue: createSqlMessageQueue(db),
    sender,
    from: config.NOTIFICATIONS_FROM,
    now,
    log,
    maxAttempts: config.NOTIFICATIONS_SEND_MAX_ATTEMPTS,
  })
  const dispatchIntervalMs = deps.dispatchIntervalMs ?? 500

  return {
    name: 'notifications',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onOrderPlaced(consumerDeps),
      onOrderPaymentRequested(consumerDeps),
      onOrderPaymentFailed(consumerDeps),
      onOrderConfirmed(consumerDeps),
      onOrderCancelled(consumerDeps),
      onOrderShipped(consumerDeps),
      onPaymentRefunded(consumerDeps),
      onUserRegistered(consumerDeps),
      onVerificationRequested(consumerDeps),
      onPasswordResetRequested(consumerDeps),
      onStaffInvited(consumerDeps),
      onShipmentCreated(consumerDeps),
      onWebhookEndpointDisabled(consumerDeps),
    ],
    routes: notificationsRoutes({
      verifier,
      followOrder: createFollowOrder({
        reader,
        // Renewed at each heartbeat; a replica that died leaves slots that expire after three.
        slots: createSqlStreamSlots(db, {
          max: config.NOTIFICATIONS_MAX_STREAMS_PER_USER,
          leaseMs: config.NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS * 3000,
        }),
        feed,
        waitMs: config.NOTIFICATIONS_STREAM_ORDER_WAIT_MS,
      }),
      heartbeatMs: config.NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS * 1000,
      shutdown,
    }),
    dispatchPending,
    async start() {
      if (dispatchIntervalMs <= 0) return
      dispatcher = startPeriodic({
        everyMs: dispatchIntervalMs,
        // At rest, a look every few seconds: this replica's consumers wake it for what they
        // queue; the looks find retries that came due and messages whose lease ran out.
        maxEveryMs: Math.max(dispatchIntervalMs, 4_000),
        log,
        what: 'message dispatch',
        run: dispatchPending,
      })
    },
    async close() {
      shutdown.abort()
      feed.close()
      await dispatcher?.stop()
      if (!deps.sender) await sender.close?.()
      if (!deps.database) await opened.close()
    },
  }
}
