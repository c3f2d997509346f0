import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The cart service's environment variables. */
export const CartConfig = Type.Object({
  ...SharedConfig,
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  CART_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8083 }),
  /** Interface to listen on. */
  CART_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /**
   * Where carts live: `redis://…` in production; absent or `memory` keeps them in the SQL
   * database of CART_DATABASE_URL (the embedded mode).
   */
  CART_REDIS_URL: Type.Optional(Type.String({ pattern: '^(rediss?://|memory$)' })),
  /**
   * The service's SQL database: inbox, price copy (and carts without Redis).
   * `postgres://…` in production, `pglite:<folder>` embedded.
   */
  CART_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** Base URLs of the catalog's internal API, comma-separated (used in turn). */
  CART_CATALOG_URLS: Type.String({ pattern: '^https?://[^,\\s]+(,https?://[^,\\s]+)*$' }),
  /** Timeout of one call to the catalog. */
  CART_CATALOG_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 2000 }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  CART_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  CART_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  CART_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /** Days without a write after which a cart is dropped. */
  CART_IDLE_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  /** Currency of an empty cart's subtotal (a cart takes its first line's currency). */
  CART_CURRENCY: Type.String({ pattern: '^[A-Z]{3}$', default: 'USD' }),
  /**
   * With Redis carts: how long a new cart's `cart.started` waits for others to share its outbox
   * transaction (a process killed without its graceful stop loses at most this much of them).
   */
  CART_START_BATCH_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 500 }),
})
export type CartConfig = Type.Static<typeof CartConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadCartConfig(env: Record<string, string | undefined> = process.env): CartConfig {
  return loadConfig(CartConfig, env)
}
