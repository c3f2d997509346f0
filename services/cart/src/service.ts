/*
 * Storage, decided:
 * - Carts sit behind one CartStore port: Redis in production (CART_REDIS_URL; a hash per user,
 *   written by compare-and-set, expiring 30 idle days after its last write), or the service's
 *   SQL database when there is no Redis (embedded mode; an hourly sweep drops idle carts).
 * - The service always has a small SQL database (CART_DATABASE_URL: PostgreSQL in production,
 *   PGlite embedded) for its inbox and the local copy of catalog prices. The copy is written in
 *   the inbox transaction of the event that changed it, so each event applies exactly once; it
 *   is also dated by the event's occurredAt and applied only over an older entry, so late or
 *   out-of-order events cannot roll a price back.
 * - A line keeps the name and price the catalog gave when it was last added or set; a read
 *   shows the copy's price instead when the copy is newer (`previousUnitPrice` tells the
 *   change). Reads never call the catalog: while its last answer was a failure, lines are
 *   marked `stale`. Writes that need a price (add, set quantity > 0) ask the catalog and fail
 *   with 503 + retry-after when it cannot answer. "Newer" compares the catalog event's
 *   occurredAt with the cart's clock at the lookup: clocks skewed by more than the time between
 *   a price change and the next lookup could show the older of two prices until the next event.
 * - `cart.started` (issue 19: reporting's carts) goes through the outbox when an add or a
 *   quantity set takes a cart from no lines to some (not a merge at sign-in, a settlement, or a
 *   write that changes nothing). The SQL store writes it in the cart's transaction. Redis
 *   cannot join one: the event is queued after the cart's compare-and-set succeeded, and the
 *   starts of `CART_START_BATCH_MS` are written in one transaction of their own (written at a
 *   graceful stop), so a crash (or a database failure, logged at warn; the shopper's add still
 *   succeeds, as retrying it would add the units twice) before that loses those carts' events.
 *   With Redis, reporting's carts are a lower bound.
 */
import { Redis } from 'ioredis'
import {
  createJwtVerifier,
  createLogger,
  createMetricsRegistry,
  createOutbox,
  createServiceClient,
  openDatabase,
  type BreakerSettings,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
  startPeriodic,
  type PeriodicJob,
} from '@emporium/platform'
import { createAddItem } from './app/add-item.js'
import { createClearCart } from './app/clear-cart.js'
import { createGetCart } from './app/get-cart.js'
import { createMergeCart } from './app/merge-cart.js'
import type { CartStore } from './app/ports.js'
import { createRemoveItem } from './app/remove-item.js'
import { createShowCart } from './app/show-cart.js'
import { createSweepIdleCarts } from './app/sweep-idle-carts.js'
import { createUpdateItem } from './app/update-item.js'
import type { CartConfig } from './config.js'
import { onOrderConfirmed, type CartsIn } from './events/on-order-confirmed.js'
import { onProductDeleted, onProductUpdated } from './events/on-product-changed.js'
import { cartRoutes } from './http/routes.js'
import { createCartStartAnnouncer } from './infra/cart-start-announcer.js'
import { createHttpCatalog } from './infra/http-catalog.js'
import { createJwtGuestTokens } from './infra/jwt-guest-tokens.js'
import { createRedisCartStore } from './infra/redis-cart-store.js'
import { createSqlCartStore, createSqlCartWriter } from './infra/sql-cart-store.js'
import { createSqlPriceCopy, createSqlPriceCopyWriter } from './infra/sql-price-copy.js'

export { CartConfig, loadCartConfig } from './config.js'

export interface CartServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: CART_DATABASE_URL. */
  database?: Database
  now?: () => Date
  /** Prefix of the Redis keys (default `emporium:cart:`); tests use one per run. */
  redisKeyPrefix?: string
  /** Period of the idle sweep of the SQL store (default: hourly). */
  sweepEveryMs?: number
  /** Token verification (default: the JWKS at CART_JWKS_URL). */
  verifier?: JwtVerifier
  /** Catalog client tuning (tests: fewer retries, a quick breaker). */
  catalogClient?: {
    retries?: number
    breaker?: Partial<BreakerSettings>
  }
}

/** The cart service: one cart per customer, priced by the catalog. */
export async function createCartService(
  config: CartConfig,
  deps: CartServiceDeps = {},
): Promise<Service & { clearCart(userId: string): Promise<void> }> {
  const log =
    deps.log ??
    createLogger({ service: 'cart', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const registry = createMetricsRegistry('cart')
  const database =
    deps.database ??
    (await openDatabase(config.CART_DATABASE_URL, {
      name: 'cart',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))
  const idleTtlMs = config.CART_IDLE_TTL_DAYS * 86_400_000

  const redisUrl = config.CART_REDIS_URL
  const redis =
    redisUrl && redisUrl !== 'memory'
      ? new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 })
      : undefined
  const outbox = createOutbox({ source: 'cart', now })
  const starts = redis
    ? createCartStartAnnouncer({ database, outbox, log, lingerMs: config.CART_START_BATCH_MS })
    : undefined
  const store: CartStore =
    redis && starts
      ? createRedisCartStore({
          redis,
          keyPrefix: deps.redisKeyPrefix ?? 'emporium:cart:',
          ttlMs: idleTtlMs,
          announceStart: starts.announce,
        })
      : createSqlCartStore(database, outbox)

  const client = createServiceClient({
    name: 'catalog',
    baseUrls: config.CART_CATALOG_URLS.split(',').map((url) => url.trim()),
    registry,
    log,
    timeoutMs: config.CART_CATALOG_TIMEOUT_MS,
    retries: deps.catalogClient?.retries ?? 1,
    breaker: deps.catalogClient?.breaker,
  })
  const catalogPort = createHttpCatalog({ client })
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.CART_JWKS_URL,
      issuer: config.CART_JWT_ISSUER,
      audience: config.CART_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const showCart = createShowCart({
    prices: createSqlPriceCopy(database.db),
    catalog: catalogPort,
    defaultCurrency: config.CART_CURRENCY,
    now,
  })
  const itemDeps = { store, catalog: catalogPort, showCart, now }
  const clearCart = createClearCart({ store, now })
  const sweep = createSweepIdleCarts({ store, idleTtlMs, now })
  const pricesIn = (trx: Parameters<typeof createSqlPriceCopyWriter>[0]) =>
    createSqlPriceCopyWriter(trx)
  // The SQL store settles an order in the consumer's inbox transaction. Redis cannot join it:
  // its write runs before the inbox row commits. A failed write throws, so nothing commits and
  // the event is retried; a write followed by a failed commit is redelivered, and finds the
  // order in the cart's settled list (written with the lines), so it subtracts nothing again.
  const cartsIn: CartsIn = redis ? () => store : (trx) => createSqlCartWriter(trx)
  let sweeper: PeriodicJob | undefined

  return {
    name: 'cart',
    database,
    registry,
    migrations: new URL('../migrations/', import.meta.url),
    consumers: [
      onProductUpdated({ pricesIn }),
      onProductDeleted({ pricesIn }),
      onOrderConfirmed({ cartsIn, now }),
    ],
    readiness: redis ? [{ name: 'redis', check: async () => void (await redis.ping()) }] : [],
    routes: cartRoutes({
      verifier,
      getCart: createGetCart({ store, showCart }),
      addItem: createAddItem(itemDeps),
      updateItem: createUpdateItem(itemDeps),
      removeItem: createRemoveItem({ store, showCart, now }),
      clearCart,
      mergeCart: createMergeCart({
        store,
        guests: createJwtGuestTokens(verifier),
        showCart,
        now,
      }),
    }),
    clearCart,
    async start() {
      if (redis) await redis.connect()
      else {
        sweeper = startPeriodic({
          everyMs: deps.sweepEveryMs ?? 3_600_000,
          log,
          what: 'idle cart sweep',
          run: async () => {
            const carts = await sweep()
            if (carts > 0) log.info({ carts }, 'idle carts swept')
          },
        })
      }
    },
    close: async () => {
      await sweeper?.stop()
      // The queued starts are written before the database closes.
      await starts?.close()
      await client.close()
      if (redis) await redis.quit().catch(() => undefined)
      if (!deps.database) await database.close()
    },
  }
}
