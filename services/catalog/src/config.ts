import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The catalog service's environment variables. */
export const CatalogConfig = Type.Object({
  ...SharedConfig,
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  CATALOG_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8082 }),
  /** Interface to listen on. */
  CATALOG_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** `postgres://user:pass@host:5432/catalog` in production, `pglite:<folder>` embedded. */
  CATALOG_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** The users service's JWKS, whose keys verify the access tokens of admin routes. */
  CATALOG_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  CATALOG_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  CATALOG_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /** How long a reservation holds stock unless its order is confirmed or cancelled. */
  CATALOG_RESERVATION_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 7 * 86_400, default: 900 }),
  /**
   * Largest picture an admin may upload, in bytes (more is a 413). The gateway's
   * GATEWAY_UPLOAD_LIMIT_BYTES must be at least as large.
   */
  CATALOG_MEDIA_MAX_BYTES: Type.Integer({
    minimum: 1024,
    maximum: 64 * 1024 * 1024,
    default: 5 * 1024 * 1024,
  }),
  /**
   * Public reads (listing, search, suggestions, facets, one product, categories) kept in memory
   * by each replica, most this many (0: none kept; ETag and 304 still answered).
   */
  CATALOG_CACHE_MAX_ENTRIES: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10_000 }),
  /** Most megabytes of bodies the read cache keeps. */
  CATALOG_CACHE_MAX_MB: Type.Integer({ minimum: 1, maximum: 4096, default: 64 }),
  /**
   * Each replica reads the catalog's outbox for changes other replicas committed and empties its
   * read cache on them (its own changes empty it at commit). It hears their commits (LISTEN) and
   * reads at each, at most once per this; while it cannot hear them (its listening connection
   * lost), it reads this often: with the read's own time, the bound on a cached answer's staleness.
   */
  CATALOG_CACHE_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 200 }),
  /**
   * How often a replica reads the outbox while it hears the other replicas' commits: the bound
   * on the staleness a notification lost without its connection (a pooler in transaction mode
   * delivers none) can leave. At least `CATALOG_CACHE_POLL_MS`.
   */
  CATALOG_CACHE_QUIET_POLL_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 1000 }),
  /** Longest a cached read is served whatever happens (what changes without an event). */
  CATALOG_CACHE_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  /** Seed the demo catalog at start when there is no product (the embedded mode sets it). */
  CATALOG_SEED_DEMO: Type.Boolean({ default: false }),
})
export type CatalogConfig = Type.Static<typeof CatalogConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadCatalogConfig(
  env: Record<string, string | undefined> = process.env,
): CatalogConfig {
  return loadConfig(CatalogConfig, env)
}
