import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

const urlList = (description: string) =>
  Type.String({ pattern: '^https?://[^,\\s]+(,https?://[^,\\s]+)*$', description })

/** The orders service's environment variables. */
export const OrdersConfig = Type.Object({
  ...SharedConfig,
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  ORDERS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8084 }),
  /** Interface to listen on. */
  ORDERS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** `postgres://user:pass@host:5432/orders` in production, `pglite:<folder>` embedded. */
  ORDERS_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** Base URLs of the cart service, comma-separated (used in turn). */
  ORDERS_CART_URLS: urlList('Base URLs of the cart service.'),
  /** Base URLs of the catalog service, comma-separated (used in turn). */
  ORDERS_CATALOG_URLS: urlList('Base URLs of the catalog service.'),
  /** Base URLs of the payments service's internal API, comma-separated (used in turn). */
  ORDERS_PAYMENTS_URLS: urlList('Base URLs of the payments service.'),
  /**
   * Base URLs of the shipping service, comma-separated (issue 18). Empty: no shipping method is
   * offered anywhere and shipping is free.
   */
  ORDERS_SHIPPING_URLS: Type.String({
    default: '',
    pattern: '^(https?://[^,\\s]+(,https?://[^,\\s]+)*)?$',
    description: 'Base URLs of the shipping service; empty: shipping is free.',
  }),
  /**
   * Keys (32 characters or more, comma-separated) of guests' signed order links: the first signs,
   * all verify (rotation). Empty: a key kept in the orders database, made on first use.
   */
  ORDERS_ORDER_LINK_KEYS: Type.String({
    default: '',
    pattern: '^(\\s*[^,\\s]{32,}\\s*(,\\s*[^,\\s]{32,}\\s*)*)?$',
  }),
  /**
   * How long a requested return is awaited (issue 19): a return not received by then expires
   * (the deadline sweeper).
   */
  ORDERS_RETURN_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 30 }),
  /** How long a guest's order link (mailed at confirmation) opens the order. */
  ORDERS_ORDER_LINK_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  /** Timeout of one call to cart, catalog or payments. */
  ORDERS_UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 50, maximum: 60_000, default: 3000 }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  ORDERS_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  ORDERS_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  ORDERS_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /**
   * The orders service's own keys for its service credentials (the `x-service-authorization` it
   * sends payments, cart and catalog): a JSON array of private JWKs (Ed25519 `OKP` or P-256
   * `EC`, each with a `kid`). The first signs, all are published at
   * `/.well-known/service-jwks.json`. Takes precedence over ORDERS_SERVICE_KEY_FILE. One of the
   * two is required.
   */
  ORDERS_SERVICE_KEYS: Type.Optional(Type.String()),
  /** A file holding those keys in the same form; generated (Ed25519, mode 0600) when missing. */
  ORDERS_SERVICE_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /** A `pending` order that catalog has not answered for in this time is cancelled. */
  ORDERS_STOCK_DEADLINE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 30 }),
  /** An `awaiting_payment` order that payments has not answered for in this time is cancelled. */
  ORDERS_PAYMENT_DEADLINE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 60 }),
  /**
   * How long after its stock is held an order may be paid, retries with another card after a
   * decline included (the order's `paymentDueBy`): an order still `payment_failed` then is
   * cancelled and its stock released. Keep it below the catalog's reservation TTL
   * (CATALOG_RESERVATION_TTL_SECONDS, 900), which would otherwise end the hold first.
   */
  ORDERS_PAYMENT_DUE_SECONDS: Type.Integer({ minimum: 1, maximum: 86_400, default: 600 }),
  /**
   * Placements (`POST /orders`) handled at once by this instance; more wait in a short queue
   * (admission control: a burst is answered 503 with `retry-after` instead of queueing).
   */
  ORDERS_PLACEMENT_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 10_000, default: 8 }),
  /** Placements that may wait for a turn; one more is answered 503 with `retry-after` at once. */
  ORDERS_PLACEMENT_QUEUE: Type.Integer({ minimum: 0, maximum: 100_000, default: 32 }),
  /** Longest a placement waits for a turn before it is answered 503 with `retry-after`. */
  ORDERS_PLACEMENT_QUEUE_MS: Type.Integer({ minimum: 1, maximum: 60_000, default: 1000 }),
  /**
   * Longest a placement takes to answer: past it, 503 with `retry-after` while it goes on (the
   * same Idempotency-Key then gets its outcome), so a burst is answered in time even when the
   * placements that started slow down. 0: none.
   */
  ORDERS_PLACEMENT_DEADLINE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 2000 }),
  /** How long an `Idempotency-Key` is remembered (at least a day, as clients are promised). */
  ORDERS_IDEMPOTENCY_TTL_HOURS: Type.Integer({ minimum: 24, maximum: 24 * 90, default: 24 }),
  /**
   * Whether the shop's prices (and shipping prices) include tax (true: the tax is the part of the
   * price due to the destination's rate) or tax is added on top (false). One setting for the shop
   * (docs/checkout.md, "Totals and rounding").
   */
  ORDERS_PRICES_INCLUDE_TAX: Type.Boolean({ default: false }),
  /**
   * How long checkouts read a country's tax rates from memory (milliseconds; 0: from the
   * database every time). A change made through this replica applies at once; one made
   * through another replica within this long.
   */
  ORDERS_TAX_RATE_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
})
export type OrdersConfig = Type.Static<typeof OrdersConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadOrdersConfig(
  env: Record<string, string | undefined> = process.env,
): OrdersConfig {
  return loadConfig(OrdersConfig, env)
}
