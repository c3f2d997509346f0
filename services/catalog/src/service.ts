import {
  createJwtVerifier,
  createLogger,
  createOutbox,
  createOutboxTail,
  createResponseCache,
  openDatabase,
  type Database,
  type JwtVerifier,
  type Logger,
  type Service,
  startPeriodic,
  type PeriodicJob,
} from '@emporium/platform'
import type { CatalogConfig } from './config.js'
import { generateDemoCatalog } from './domain/demo-catalog.js'
import { defaultMediaLimits } from './domain/media.js'
import { createCancelReservation } from './app/cancel-reservation.js'
import { createCommitReservation } from './app/commit-reservation.js'
import { createGetProduct, createGetProductImage, createListCategories } from './app/get-product.js'
import { createListProducts } from './app/list-products.js'
import { createSuggestProducts } from './app/suggest-products.js'
import { createCountFacets } from './app/count-facets.js'
import { createSpelling } from './app/spelling.js'
import { createCreateCategory, createUpdateCategory } from './app/manage-categories.js'
import {
  createCreateProduct,
  createDeleteProduct,
  createGetStock,
  createSetStock,
  createUpdateProduct,
} from './app/manage-products.js'
import {
  createAddVariant,
  createGetVariantStock,
  createSetVariantStock,
  createUpdateVariant,
} from './app/manage-variants.js'
import {
  createDeleteMedia,
  createGetMediaFile,
  createListMedia,
  createReorderMedia,
  createUpdateMedia,
} from './app/manage-media.js'
import { createExpireReservations, createReleaseReservation } from './app/release-reservation.js'
import { createUploadMedia } from './app/upload-media.js'
import { createReserveStock } from './app/reserve-stock.js'
import { onOrderCancelled } from './events/on-order-cancelled.js'
import { onReturnReceived } from './events/on-return-received.js'
import { returnRestockIn } from './infra/kysely-return-restock.js'
import { onOrderConfirmed } from './events/on-order-confirmed.js'
import { onOrderPlaced } from './events/on-order-placed.js'
import { createDatabaseMediaStore } from './infra/database-media-store.js'
import { createKyselyCategories } from './infra/kysely-categories.js'
import { createKyselyStore } from './infra/kysely-store.js'
import { createKyselySearch } from './infra/search-sql.js'
import { createVocabularySql } from './infra/vocabulary-sql.js'
import { createSharpImages } from './infra/sharp-images.js'
import { catalogRoutes } from './http/routes.js'

export { CatalogConfig, loadCatalogConfig } from './config.js'

export interface CatalogServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: CATALOG_DATABASE_URL. */
  database?: Database
  /** The clock of timestamps and reservation expiry; tests move it. */
  now?: () => Date
  /** Verifies admin access tokens; default: the users service's JWKS (CATALOG_JWKS_URL). */
  verifier?: JwtVerifier
  /** How often the expiry job runs (default 15 s); 0 disables the timer (tests drive it). */
  expiryIntervalMs?: number
}

/** The service value plus what the saga (in process) and tests drive directly. */
export interface CatalogService extends Service {
  /** Releases held reservations past their time; returns how many. The timer calls it too. */
  expireReservations(): Promise<number>
  reserveStock: ReturnType<typeof createReserveStock>
  commitReservation: ReturnType<typeof createCommitReservation>
  releaseReservation: ReturnType<typeof createReleaseReservation>
  /** What `order.cancelled` does (release, restock or tombstone), in a transaction of its own. */
  cancelReservation: ReturnType<typeof createCancelReservation>
  /** Seeds the demo catalog when there is no product; true when it did. */
  seedDemo(): Promise<boolean>
  /** Reads the outbox for other replicas' changes now (tests); the timer does it too. */
  pollOutbox(): Promise<void>
}

/**
 * The catalog service: products, categories, search, stock and reservations. PostgreSQL in
 * production, PGlite embedded, with the same code and migrations.
 */
export async function createCatalogService(
  config: CatalogConfig,
  deps: CatalogServiceDeps = {},
): Promise<CatalogService> {
  const log =
    deps.log ??
    createLogger({ service: 'catalog', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const database =
    deps.database ??
    (await openDatabase(config.CATALOG_DATABASE_URL, {
      name: 'catalog',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))
  const verifier =
    deps.verifier ??
    createJwtVerifier({
      jwksUrl: config.CATALOG_JWKS_URL,
      issuer: config.CATALOG_JWT_ISSUER,
      audience: config.CATALOG_JWT_AUDIENCE,
      log,
      revocations: config.REVOCATIONS_URL,
    })
  const store = createKyselyStore({
    database,
    outbox: createOutbox({ source: 'catalog', now }),
    log,
  })
  const reservations = { reservations: store, now }
  const search = createKyselySearch({ database, typoSearch: () => store.typoSearch })
  // The catalog's words for spelling correction, kept by this replica, read again each minute.
  const spelling = createSpelling({ source: createVocabularySql({ database }), now, log })
  const media = createDatabaseMediaStore({
    database,
    outbox: createOutbox({ source: 'catalog', now }),
  })
  const categories = createKyselyCategories({
    database,
    outbox: createOutbox({ source: 'catalog', now }),
  })
  const mediaLimits = { ...defaultMediaLimits, maxBytes: config.CATALOG_MEDIA_MAX_BYTES }
  const reserveStock = createReserveStock({
    ...reservations,
    ttlSeconds: config.CATALOG_RESERVATION_TTL_SECONDS,
  })
  const commitReservation = createCommitReservation(reservations)
  const releaseReservation = createReleaseReservation(reservations)
  const expireReservations = createExpireReservations({ ...reservations, log })
  const orderEvents = {
    reservationsIn: store.reservationsIn,
    now,
    log,
    ttlSeconds: config.CATALOG_RESERVATION_TTL_SECONDS,
  }
  const seedDemo = () => store.seedIfEmpty(generateDemoCatalog(), now())
  // Public reads from memory (docs/DESIGN.md, "The catalog's read cache"): emptied at the commit
  // of any of this replica's changes, and on any other replica's once the outbox tail sees it.
  const cache = createResponseCache({
    maxEntries: config.CATALOG_CACHE_MAX_ENTRIES,
    maxBytes: config.CATALOG_CACHE_MAX_MB * 1024 * 1024,
    ttlMs: config.CATALOG_CACHE_TTL_SECONDS * 1000,
  })
  const stopHearingCommits = database.onOutboxCommit(() => cache.clear())
  // PGlite is one process's alone: its commits are all heard above.
  const tail =
    database.kind === 'pglite'
      ? undefined
      : createOutboxTail({
          database,
          log,
          everyMs: config.CATALOG_CACHE_POLL_MS,
          quietEveryMs: config.CATALOG_CACHE_QUIET_POLL_MS,
          onEvents: () => cache.clear(),
        })
  const intervalMs = deps.expiryIntervalMs ?? 15_000
  let expiry: PeriodicJob | undefined

  return {
    name: 'catalog',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    // The checkout saga's stock steps, each in its inbox transaction (docs/checkout.md).
    consumers: [
      onOrderPlaced(orderEvents),
      onOrderConfirmed(orderEvents),
      onOrderCancelled(orderEvents),
      // A received return's restocked units back on sale (issue 19).
      onReturnReceived({
        restockIn: (trx) => returnRestockIn(trx as never, createOutbox({ source: 'catalog', now })),
        log,
      }),
    ],
    routes: catalogRoutes({
      verifier,
      cache,
      listProducts: createListProducts({ store, spelling }),
      suggestProducts: createSuggestProducts({ search, spelling }),
      countFacets: createCountFacets({ search, spelling }),
      getProduct: createGetProduct({ store, gallery: true }),
      getProductImage: createGetProductImage({ store }),
      listCategories: createListCategories({ store }),
      createProduct: createCreateProduct({ store, now }),
      updateProduct: createUpdateProduct({ store, now }),
      deleteProduct: createDeleteProduct({ store, now }),
      setStock: createSetStock({ store }),
      getStock: createGetStock({ store }),
      addVariant: createAddVariant({ store, now }),
      updateVariant: createUpdateVariant({ store, now }),
      getVariantStock: createGetVariantStock({ store }),
      setVariantStock: createSetVariantStock({ store }),
      categories: {
        createCategory: createCreateCategory({ categories }),
        updateCategory: createUpdateCategory({ categories }),
      },
      media: {
        verifier,
        maxUploadBytes: mediaLimits.maxBytes,
        listMedia: createListMedia({ media }),
        uploadMedia: createUploadMedia({
          media,
          images: createSharpImages(),
          limits: mediaLimits,
          now,
        }),
        updateMedia: createUpdateMedia({ media, now }),
        reorderMedia: createReorderMedia({ media, now }),
        deleteMedia: createDeleteMedia({ media, now }),
        getMediaFile: createGetMediaFile({ media }),
      },
    }),
    expireReservations,
    reserveStock,
    commitReservation,
    releaseReservation,
    cancelReservation: createCancelReservation(reservations),
    seedDemo,
    pollOutbox: async () => tail?.poll(),
    async start() {
      await store.detectSearchFeatures()
      await tail?.start()
      if (config.CATALOG_SEED_DEMO && (await seedDemo())) log.info('demo catalog seeded')
      if (intervalMs > 0) {
        expiry = startPeriodic({
          everyMs: intervalMs,
          log,
          what: 'reservation expiry',
          run: async () => {
            const count = await expireReservations()
            if (count > 0) log.info({ count }, 'reservations expired')
          },
        })
      }
    },
    async close() {
      await expiry?.stop()
      await tail?.stop()
      stopHearingCommits()
      if (!deps.database) await database.close()
    },
  }
}
