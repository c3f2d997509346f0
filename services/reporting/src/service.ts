/*
 * Reporting, decided (issue 19; DESIGN.md, "Reporting"):
 * - Read models only, fed by other services' events through the inbox: facts written once each
 *   (an order placed, confirmed, cancelled; a capture; a refund; an event naming an order; a
 *   staff action), summed at query time, so that redeliveries and any order of arrival give the
 *   same figures. Nothing here publishes: the service has no outbox traffic of its own.
 * - Revenue is what payments captured and refunds what they gave back, so the figures reconcile
 *   with the payments ledger by construction (captured − refunded).
 * - The day's carts are the carts started (the cart service's `cart.started`, one row per cart
 *   and start), the conversion paid orders per cart started; `placed` the orders placed. With
 *   Redis carts the cart service may lose a start in a crash: carts are then a lower bound.
 * - The audit trail is append-only in the database itself (a trigger refuses UPDATE, DELETE
 *   and TRUNCATE).
 */
import {
  createJwtVerifier,
  createLogger,
  openDatabase,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
} from '@emporium/platform'
import { createReports } from './app/reports.js'
import type { ReportingConfig } from './config.js'
import { onAuditRecorded } from './events/on-audit-recorded.js'
import { onCartStarted } from './events/on-cart-started.js'
import { onOrderCancelled, onOrderConfirmed, onOrderPlaced } from './events/on-order-events.js'
import { onPaymentCaptured, onPaymentRefunded } from './events/on-payment-events.js'
import { onTimelineEvents } from './events/on-timeline-events.js'
import { reportingRoutes } from './http/routes.js'
import { createSqlProjections } from './infra/sql-projections.js'
import { createSqlReports } from './infra/sql-reports.js'
import type { ReportingTables } from './infra/tables.js'

export { ReportingConfig, loadReportingConfig } from './config.js'

export interface ReportingServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: REPORTING_DATABASE_URL. */
  database?: Database
  /** Token verification (default: the JWKS at REPORTING_JWKS_URL). */
  verifier?: JwtVerifier
}

/**
 * The reporting service: the day's figures, top products, customers' lifetime value, orders'
 * timelines and the audit trail, from events. PostgreSQL in production, PGlite embedded.
 */
export async function createReportingService(
  config: ReportingConfig,
  deps: ReportingServiceDeps = {},
): Promise<Service> {
  const log =
    deps.log ??
    createLogger({ service: 'reporting', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const database = (deps.database ??
    (await openDatabase(config.REPORTING_DATABASE_URL, {
      name: 'reporting',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))) as Database<ReportingTables>
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.REPORTING_JWKS_URL,
      issuer: config.REPORTING_JWT_ISSUER,
      audience: config.REPORTING_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const projectionsIn = createSqlProjections

  return {
    name: 'reporting',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onOrderPlaced({ projectionsIn }),
      onOrderConfirmed({ projectionsIn }),
      onOrderCancelled({ projectionsIn }),
      onPaymentCaptured({ projectionsIn }),
      onPaymentRefunded({ projectionsIn }),
      onAuditRecorded({ projectionsIn }),
      onCartStarted({ projectionsIn }),
      ...onTimelineEvents({ projectionsIn }),
    ],
    routes: reportingRoutes({
      verifier,
      reports: createReports({
        reader: createSqlReports(database.db),
        currency: config.REPORTING_CURRENCY,
      }),
    }),
    async close() {
      if (!deps.database) await database.close()
    },
  }
}
