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
