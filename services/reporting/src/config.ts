import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The reporting service's environment variables. */
export const ReportingConfig = Type.Object({
  ...SharedConfig,
  /**
   * The shared setting with this service's default: its consumers' effects are waited for by
   * nobody (the day's figures may trail by a quarter of a second), so batches wait 250 ms for more deliveries and a moderate rate
   * costs fewer transactions (docs/messaging.md).
   */
  RABBITMQ_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 5_000, default: 250 }),
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  REPORTING_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8088 }),
  /** Interface to listen on. */
  REPORTING_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** The service's database: `postgres://…` in production, `pglite:<folder>` embedded. */
  REPORTING_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  REPORTING_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  REPORTING_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  REPORTING_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /** The currency of the figures when a request names none (the shop's: CART_CURRENCY). */
  REPORTING_CURRENCY: Type.String({ pattern: '^[A-Z]{3}$', default: 'USD' }),
})
export type ReportingConfig = Type.Static<typeof ReportingConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadReportingConfig(
  env: Record<string, string | undefined> = process.env,
): ReportingConfig {
  return loadConfig(ReportingConfig, env)
}
