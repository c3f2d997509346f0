import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The shipping service's environment variables. */
export const ShippingConfig = Type.Object({
  ...SharedConfig,
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
})
export type ShippingConfig = Type.Static<typeof ShippingConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadShippingConfig(
  env: Record<string, string | undefined> = process.env,
): ShippingConfig {
  return loadConfig(ShippingConfig, env)
}
