import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The shipping service's environment variables. */
export const ShippingConfig = Type.Object({
  ...SharedConfig,
  /**
   * The shared setting with this service's default: its consumers' effects are waited for by
   * nobody (an order's shipment record may follow its confirmation 0.1 s later), so batches wait 100 ms for more deliveries and a moderate rate
   * costs fewer transactions (docs/messaging.md).
   */
  RABBITMQ_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 5_000, default: 100 }),
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  SHIPPING_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8087 }),
  /** Interface to listen on. */
  SHIPPING_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** The service's database: `postgres://…` in production, `pglite:<folder>` embedded. */
  SHIPPING_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  SHIPPING_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  SHIPPING_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  SHIPPING_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /**
   * The services whose credentials are checked and where their public keys come from: a JSON
   * object, service name to its JWKS URL or an array of its public JWKs, e.g.
   * `{"orders":"http://orders:8084/.well-known/service-jwks.json"}`. Only `orders` is admitted
   * (quotes at placement; anyone may ask for quotes, but a credential sent must be valid).
   */
  SHIPPING_TRUSTED_CALLERS: Type.String({ default: '' }),
  /**
   * How long quotes read zones and methods from memory (milliseconds; 0: from the database every
   * time). A change made through this replica is quoted at once; one made through another
   * replica within this long.
   */
  SHIPPING_QUOTE_CACHE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 1_000 }),
})
export type ShippingConfig = Type.Static<typeof ShippingConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadShippingConfig(
  env: Record<string, string | undefined> = process.env,
): ShippingConfig {
  return loadConfig(ShippingConfig, env)
}
