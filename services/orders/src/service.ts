/*
 * The orders service orchestrates the checkout saga (docs/checkout.md):
 * - `POST /orders` reads the caller's cart (cart, with the caller's token), prices each line
 *   from orders' copy of the catalog's prices (kept from product events; the catalog is asked
 *   only about a product the copy has not heard of), tokenizes the card (payments), then stores the order
 *   `pending` with `order.placed` in one transaction. Idempotent per (caller, Idempotency-Key).
 * - Consumers of catalog's and payments' answers move the order on (inbox transaction, row
 *   locked, every state change with its event in the outbox).
 * - A sweeper cancels orders whose step heard nothing by its deadline, and forgets old
 *   idempotency keys. PostgreSQL in production (replicas skip each other's locked rows), PGlite
 *   embedded, with the same code and migrations.
 */
import {
  createJwtVerifier,
  createLogger,
  createMetricsRegistry,
  createOutbox,
  createServiceClient,
  loadServiceCredentials,
  openDatabase,
  type BreakerSettings,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
  type ServiceCredentials,
  startPeriodic,
  type PeriodicJob,
} from '@emporium/platform'
import { clearingOnWrite, createKeptReads } from '@emporium/platform/app'
import type { Kysely } from 'kysely'
import { createCancelOrder, createShipOrder } from './app/manage-order.js'
import { createPlaceOrder } from './app/place-order.js'
import { createRetryPayment } from './app/retry-payment.js'
import { createGetOrder, createListOrders, createOrderByLink } from './app/query-orders.js'
import { createPriceCheckout } from './app/price-checkout.js'
import { createQuoteCheckout } from './app/quote-checkout.js'
import { createRecordShipment } from './app/record-shipment.js'
import { onShipmentCreated, onShipmentDelivered } from './events/on-shipment-events.js'
import { createHttpShipping } from './infra/http-shipping.js'
import { createSqlOrderLinks } from './infra/sql-order-link-keys.js'
import { createSagaSteps } from './app/saga-steps.js'
import { createSweepDeadlines } from './app/sweep-deadlines.js'
import type { OrdersConfig } from './config.js'
import {
  onPaymentCaptured,
  onPaymentDeclined,
  onPaymentRefunded,
  onPaymentRefundFailed,
} from './events/on-payment-events.js'
import { createCreateRefund, createListRefunds, createRefundAnswers } from './app/refunds.js'
import { createReturns, createSweepReturns } from './app/returns.js'
import { createRetryRefund } from './app/retry-refund.js'
import { withReturnRoutes } from './http/return-routes.js'
import { createSqlDueReturns } from './infra/refund-rows.js'
import { onStockRejected, onStockReleased, onStockReserved } from './events/on-stock-events.js'
import { ordersRoutes } from './http/routes.js'
import { withTaxRoutes } from './http/tax-routes.js'
import { withPromotionRoutes } from './http/promotion-routes.js'
import { createManagePromotions } from './app/manage-promotions.js'
import { createSqlPromotionCatalog } from './infra/sql-promotions.js'
import { createManageTaxRates } from './app/manage-tax-rates.js'
import { createSqlTaxRates } from './infra/sql-tax-rates.js'
import { createHttpCart, createHttpCatalog, createHttpPayments } from './infra/http-upstreams.js'
import { createCatalogPriceCopy, createCatalogPriceWriter } from './infra/catalog-prices.js'
import type { OrdersTables } from './infra/tables.js'
import { onProductCreated, onProductDeleted, onProductUpdated } from './events/on-product-events.js'
import { createSqlIdempotencyStore } from './infra/sql-idempotency-store.js'
import { createSqlOrderStore, createSqlOrderTx } from './infra/sql-order-store.js'
import { onUserRegistered } from './events/on-user-events.js'
import { withBackofficeRoutes } from './http/backoffice-routes.js'
import { createAddOrderNote, createListOrderNotes } from './app/order-notes.js'

export { OrdersConfig, loadOrdersConfig } from './config.js'

/** Tuning of the clients of cart, catalog and payments (tests: no retries, a quick breaker). */
export interface UpstreamClientTuning {
  retries?: number
  breaker?: Partial<BreakerSettings>
}

export interface OrdersServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: ORDERS_DATABASE_URL. */
  database?: Database
  /** The clock of timestamps and deadlines; tests move it. */
  now?: () => Date
  /** Token verification (default: the JWKS at ORDERS_JWKS_URL). */
  verifier?: JwtVerifier
  /** The service's own credentials (default: ORDERS_SERVICE_KEYS or ORDERS_SERVICE_KEY_FILE). */
  serviceCredentials?: ServiceCredentials
  /** Period of the deadline sweeper (default 1 s); 0 disables the timer (tests drive it). */
  sweepIntervalMs?: number
  clients?: UpstreamClientTuning
}

/** The service value plus what tests (and the embedded mode) drive directly. */
export interface OrdersService extends Service {
  /** Cancels orders past their saga deadline and purges old idempotency keys; returns how many orders. */
  sweepDeadlines(): Promise<number>
}

/** The orders service: orders, their state machine and the checkout saga. */
export async function createOrdersService(
  config: OrdersConfig,
  deps: OrdersServiceDeps = {},
): Promise<OrdersService> {
  const log =
    deps.log ??
    createLogger({ service: 'orders', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const registry = createMetricsRegistry('orders')
  const database =
    deps.database ??
    (await openDatabase(config.ORDERS_DATABASE_URL, {
      name: 'orders',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))
  const outbox = createOutbox({ source: 'orders', now })
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.ORDERS_JWKS_URL,
      issuer: config.ORDERS_JWT_ISSUER,
      audience: config.ORDERS_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })

  // Every call carries the service's credential: payments requires it on /internal routes; for
  // cart and catalog it is harmless today and lets them lock down routes later.
  const credentials =
    deps.serviceCredentials ??
    (await loadServiceCredentials({
      caller: 'orders',
      keys: config.ORDERS_SERVICE_KEYS,
      file: config.ORDERS_SERVICE_KEY_FILE,
      keysVariable: 'ORDERS_SERVICE_KEYS',
      fileVariable: 'ORDERS_SERVICE_KEY_FILE',
      log,
    }))

  const client = (name: string, urls: string) =>
    createServiceClient({
      credentials,
      name,
      baseUrls: urls.split(',').map((url) => url.trim()),
      registry,
      log,
      timeoutMs: config.ORDERS_UPSTREAM_TIMEOUT_MS,
      retries: deps.clients?.retries ?? 1,
      breaker: deps.clients?.breaker,
    })
  const clients = [
    client('cart', config.ORDERS_CART_URLS),
    client('catalog', config.ORDERS_CATALOG_URLS),
    client('payments', config.ORDERS_PAYMENTS_URLS),
  ] as const
  // Shipping is optional: without it nothing is offered and shipping is free.
  const shippingClient = config.ORDERS_SHIPPING_URLS
    ? client('shipping', config.ORDERS_SHIPPING_URLS)
    : undefined
  const db = database.db as Kysely<OrdersTables>
  const orderLinks = createSqlOrderLinks({
    db,
    configured: config.ORDERS_ORDER_LINK_KEYS.split(',')
      .map((key) => key.trim())
      .filter(Boolean),
    lifetimeMs: config.ORDERS_ORDER_LINK_DAYS * 86_400_000,
  })
  const catalogCopy = createCatalogPriceCopy({
    db,
    fallback: createHttpCatalog(clients[1]).product,
    log,
  })
  const cart = createHttpCart(clients[0])
  // Promotion codes and tax rates (issue 18): the checkout's pricing and the admins' CRUD read the
  // same stores; a promotion's use is reserved, spent and released in the order's own transaction
  // (promotionUsesIn, infra/sql-promotions.ts).
  const promotionCatalog = createSqlPromotionCatalog(database, outbox)
  // Checkouts read a country's rates from memory for ORDERS_TAX_RATE_CACHE_MS (issue 14: a
  // transaction per placement); this replica's changes empty it.
  const sqlTaxRates = createSqlTaxRates(database, outbox)
  const keptRates = createKeptReads({
    read: (country: string) => sqlTaxRates.forCountry(country),
    ttlMs: config.ORDERS_TAX_RATE_CACHE_MS,
  })
  const taxRateStore = clearingOnWrite(sqlTaxRates, ['upsert', 'remove'], keptRates)
  const priceCheckout = createPriceCheckout({
    shipping: createHttpShipping(shippingClient),
    taxRates: { forCountry: (country) => keptRates.get(country) },
    promotions: promotionCatalog,
    pricesIncludeTax: config.ORDERS_PRICES_INCLUDE_TAX,
    now,
  })

  const orders = createSqlOrderStore({ database, outbox, log })
  const payments = createHttpPayments(clients[2])
  const keys = createSqlIdempotencyStore(database)
  const steps = createSagaSteps({
    now,
    paymentDeadlineMs: config.ORDERS_PAYMENT_DEADLINE_SECONDS * 1000,
    paymentDueMs: config.ORDERS_PAYMENT_DUE_SECONDS * 1000,
    orderLinks,
    log,
  })
  // What the consumers bind to their inbox transaction: the saga's orders, the price copy.
  const consumerDeps = {
    steps,
    ordersIn: (trx: Parameters<typeof createSqlOrderTx>[0]) => createSqlOrderTx(trx, outbox),
    pricesIn: createCatalogPriceWriter,
    shipments: createRecordShipment({ now, log }),
    refundAnswers: createRefundAnswers({ now, log }),
  }
  const sweepDeadlines = createSweepDeadlines({
    orders,
    keys,
    now,
    idempotencyTtlMs: config.ORDERS_IDEMPOTENCY_TTL_HOURS * 3_600_000,
    log,
  })

  // Returns not received by their deadline expire with the same sweep (issue 19).
  const sweepReturns = createSweepReturns({
    due: createSqlDueReturns({ database, outbox, log }),
    now,
  })
  const sweepAll = async () => (await sweepDeadlines()) + (await sweepReturns())

  const intervalMs = deps.sweepIntervalMs ?? 1_000
  const returnSweepEvery = 15
  let sweeper: PeriodicJob | undefined

  const service: OrdersService = {
    name: 'orders',
    database,
    registry,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onProductCreated(consumerDeps),
      onProductUpdated(consumerDeps),
      onProductDeleted(consumerDeps),
      onStockReserved(consumerDeps),
      onStockRejected(consumerDeps),
      onStockReleased(consumerDeps),
      onPaymentCaptured(consumerDeps),
      onPaymentDeclined(consumerDeps),
      onPaymentRefunded(consumerDeps),
      onPaymentRefundFailed(consumerDeps),
      onShipmentCreated(consumerDeps),
      onShipmentDelivered(consumerDeps),
      onUserRegistered(consumerDeps),
    ],
    routes: ordersRoutes({
      verifier,
      credentials,
      placeOrder: createPlaceOrder({
        orders,
        keys,
        cart,
        catalog: catalogCopy,
        payments,
        priceCheckout,
        now,
        stockDeadlineMs: config.ORDERS_STOCK_DEADLINE_SECONDS * 1000,
        log,
      }),
      listOrders: createListOrders({ orders }),
      getOrder: createGetOrder({ orders }),
      cancelOrder: createCancelOrder({ orders, now }),
      shipOrder: createShipOrder({ orders, now }),
      retryPayment: createRetryPayment({
        orders,
        keys,
        payments,
        now,
        paymentDeadlineMs: config.ORDERS_PAYMENT_DEADLINE_SECONDS * 1000,
        log,
      }),
      quoteCheckout: createQuoteCheckout({ cart, catalog: catalogCopy, priceCheckout }),
      orderByLink: createOrderByLink({ orders, links: orderLinks, now }),
      placementAdmission: {
        concurrency: config.ORDERS_PLACEMENT_CONCURRENCY,
        queue: config.ORDERS_PLACEMENT_QUEUE,
        maxWaitMs: config.ORDERS_PLACEMENT_QUEUE_MS,
        deadlineMs: config.ORDERS_PLACEMENT_DEADLINE_MS || undefined,
      },
    }),
    sweepDeadlines: sweepAll,
    async start() {
      // The order links' key read before any confirmation needs it (sql-order-link-keys.ts).
      await orderLinks.warm()
      if (intervalMs <= 0) return
      // Returns wait days for their deadline: every 15th tick looks for them (a look costs a
      // transaction, and the sweep runs every second whatever happens; issue 14).
      let ticks = 0
      sweeper = startPeriodic({
        everyMs: intervalMs,
        log,
        what: 'deadline sweep',
        run: async () => {
          const count = await sweepDeadlines()
          if (count > 0) log.info({ count }, 'orders past their deadline cancelled')
          if (ticks++ % returnSweepEvery !== 0) return
          const expired = await sweepReturns()
          if (expired > 0) log.info({ count: expired }, 'returns past their deadline expired')
        },
      })
    },
    async close() {
      await sweeper?.stop()
      await Promise.all(
        [...clients, ...(shippingClient ? [shippingClient] : [])].map((c) => c.close()),
      )
      if (!deps.database) await database.close()
    },
  }
  // Admins' tax rates (issue 18), mounted beside the orders' routes.
  const taxRates = createManageTaxRates({ store: taxRateStore, now })
  const promotions = createManagePromotions({ catalog: promotionCatalog, now })
  // The staff's internal notes of orders (issue 19).
  const backoffice = {
    verifier,
    addOrderNote: createAddOrderNote({ orders, now }),
    listOrderNotes: createListOrderNotes({ orders }),
  }
  // Refunds and returns (issue 19), beside the orders' routes.
  const returnDeps = {
    verifier,
    createRefund: createCreateRefund({ orders, keys, now, log }),
    listRefunds: createListRefunds({ orders }),
    retryRefund: createRetryRefund({ orders, keys, now, log }),
    ...createReturns({ orders, now, returnDays: config.ORDERS_RETURN_DAYS, log }),
  }
  return {
    ...service,
    routes: withReturnRoutes(
      withBackofficeRoutes(
        withPromotionRoutes(withTaxRoutes(service.routes, { verifier, ...taxRates }), {
          verifier,
          ...promotions,
        }),
        backoffice,
      ),
      returnDeps,
    ),
  }
}
