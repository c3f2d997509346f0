/*
 * Shipping, decided (issue 18; DESIGN.md, "Shipping"):
 * - Zones and methods are the back office's; quotes are computed from them on every request
 *   (a handful of rows, kept in memory for `SHIPPING_QUOTE_CACHE_MS`, emptied by this replica's
 *   own changes), for anyone and for the orders service at placement.
 * - A shipment is checked against this service's own copy of the order, built from the orders
 *   service's events (`order.confirmed`, `order.cancelled`, `order.shipped`) through the inbox,
 *   under the copy's row lock, so racing shipments never ship more than was ordered.
 * - `shipment.created` (with `complete` once every line is shipped) and `shipment.delivered` go
 *   through the outbox in the transaction of the change.
 */
import {
  createJwtVerifier,
  createLogger,
  createOutbox,
  createServiceTrust,
  openDatabase,
  parseTrustedCallers,
  requireServiceCaller,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
  type ServiceTrust,
} from '@emporium/platform'
import { createManageMethods } from './app/manage-methods.js'
import { createManageShipments } from './app/manage-shipments.js'
import { createManageZones } from './app/manage-zones.js'
import { clearingOnWrite, createQuoteCache } from './app/quote-cache.js'
import { createQuoteShipping } from './app/quote-shipping.js'
import type { ShippingConfig } from './config.js'
import { onOrderCancelled } from './events/on-order-cancelled.js'
import { onOrderConfirmed } from './events/on-order-confirmed.js'
import { onOrderShipped } from './events/on-order-shipped.js'
import { shippingRoutes } from './http/routes.js'
import { createSqlMethods } from './infra/sql-methods.js'
import { createSqlOrderCopies } from './infra/sql-order-copies.js'
import { createSqlShipments } from './infra/sql-shipments.js'
import { createSqlZones } from './infra/sql-zones.js'
import type { ShippingTables } from './infra/tables.js'

export { ShippingConfig, loadShippingConfig } from './config.js'

export interface ShippingServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: SHIPPING_DATABASE_URL. */
  database?: Database
  /** The clock of timestamps. */
  now?: () => Date
  /** Token verification (default: the JWKS at SHIPPING_JWKS_URL). */
  verifier?: JwtVerifier
  /** The services whose credentials are checked (default: SHIPPING_TRUSTED_CALLERS). */
  serviceTrust?: ServiceTrust
}

/**
 * The shipping service: zones, methods and their rates, quotes, and shipments of confirmed
 * orders. PostgreSQL in production, PGlite embedded.
 */
export async function createShippingService(
  config: ShippingConfig,
  deps: ShippingServiceDeps = {},
): Promise<Service> {
  const log =
    deps.log ??
    createLogger({ service: 'shipping', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const database = (deps.database ??
    (await openDatabase(config.SHIPPING_DATABASE_URL, {
      name: 'shipping',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))) as Database<ShippingTables>
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.SHIPPING_JWKS_URL,
      issuer: config.SHIPPING_JWT_ISSUER,
      audience: config.SHIPPING_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const serviceTrust =
    deps.serviceTrust ??
    createServiceTrust(
      parseTrustedCallers('SHIPPING_TRUSTED_CALLERS', config.SHIPPING_TRUSTED_CALLERS),
      { log },
    )
  const outbox = createOutbox({ source: 'shipping', now })
  // Quotes read zones and methods from a short-lived cache that this replica's changes empty.
  const quoteCache = createQuoteCache({
    source: createSqlMethods(database, outbox),
    ttlMs: config.SHIPPING_QUOTE_CACHE_MS,
    now: Date.now,
  })
  const methods = clearingOnWrite(createSqlMethods(database, outbox), quoteCache)
  const shipments = createSqlShipments({ database, outbox })
  const orderCopiesIn = (trx: Parameters<typeof createSqlOrderCopies>[0]) =>
    createSqlOrderCopies(trx)

  return {
    name: 'shipping',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onOrderConfirmed({ orderCopiesIn }),
      onOrderCancelled({ orderCopiesIn }),
      onOrderShipped({ orderCopiesIn }),
    ],
    routes: shippingRoutes({
      verifier,
      serviceCaller: requireServiceCaller({
        audience: 'shipping',
        trust: serviceTrust,
        allowed: ['orders'],
        log,
      }),
      zones: createManageZones({
        zones: clearingOnWrite(createSqlZones(database, outbox), quoteCache),
        now,
      }),
      methods: createManageMethods({ methods, now }),
      quote: createQuoteShipping({ source: quoteCache }),
      shipments: createManageShipments({ shipments, now }),
    }),
    async close() {
      if (!deps.database) await database.close()
    },
  }
}
