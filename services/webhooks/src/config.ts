import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** Milliseconds as a comma-separated list, e.g. `5000,300000`. */
const DelayList = Type.String({ pattern: '^\\s*\\d+(\\s*,\\s*\\d+)*\\s*$' })

/** The webhooks service's environment variables. */
export const WebhooksConfig = Type.Object({
  ...SharedConfig,
  /**
   * The shared setting with this service's default: its consumers' effects are waited for by
   * nobody (a partner's delivery may leave a quarter of a second later), so batches wait 250 ms for more deliveries and a moderate rate
   * costs fewer transactions (docs/messaging.md).
   */
  RABBITMQ_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 5_000, default: 250 }),
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  WEBHOOKS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8089 }),
  /** Interface to listen on. */
  WEBHOOKS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** The service's database: `postgres://…` in production, `pglite:<folder>` embedded. */
  WEBHOOKS_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  WEBHOOKS_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  WEBHOOKS_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  WEBHOOKS_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /**
   * Development allow-list: comma-separated host names or addresses (`127.0.0.1,localhost`) that
   * may be reached over http and skip the SSRF check. Empty (the default) in production.
   */
  WEBHOOKS_ALLOWED_HOSTS: Type.String({ default: '' }),
  /**
   * Period of the dispatcher loop while it finds deliveries, in ms (idle, its wait doubles up to
   * 4 s; this replica's new deliveries wake it); 0 runs none (tests call `dispatchDue`).
   */
  WEBHOOKS_DISPATCH_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000 }),
  /**
   * How long a claimed delivery is hidden from other dispatchers, in ms: longer than an attempt
   * may take. A dispatcher that dies mid-delivery leaves it to be sent again when it ends.
   */
  WEBHOOKS_LEASE_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000 }),
  /** An attempt not answered by then is a timeout (retried), in ms. */
  WEBHOOKS_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 120_000, default: 10_000 }),
  /**
   * Delays before each retry, in ms: after the first failed attempt the first delay, and so on;
   * one attempt more than delays. Default over 27 hours: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
   */
  WEBHOOKS_RETRY_DELAYS_MS: Type.String({
    ...DelayList,
    default: '5000,300000,1800000,7200000,18000000,36000000,36000000',
  }),
  /** Each delay is drawn within ± this fraction of itself (jitter; 0 for none). */
  WEBHOOKS_RETRY_JITTER: Type.Number({ minimum: 0, maximum: 1, default: 0.2 }),
  /** Consecutive failed attempts that open an endpoint's circuit breaker. */
  WEBHOOKS_BREAKER_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  /** How long an open breaker holds an endpoint's deliveries before one probe, in ms. */
  WEBHOOKS_BREAKER_COOLDOWN_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 60_000 }),
  /** An endpoint failing continuously this long is disabled and its owner told (hours). */
  WEBHOOKS_DISABLE_AFTER_HOURS: Type.Number({ exclusiveMinimum: 0, maximum: 8760, default: 72 }),
  /** Deliveries claimed at once by a dispatcher. */
  WEBHOOKS_BATCH_SIZE: Type.Integer({ minimum: 1, maximum: 500, default: 20 }),
})
export type WebhooksConfig = Type.Static<typeof WebhooksConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadWebhooksConfig(
  env: Record<string, string | undefined> = process.env,
): WebhooksConfig {
  return loadConfig(WebhooksConfig, env)
}

/** `WEBHOOKS_RETRY_DELAYS_MS` as numbers. */
export function retryDelaysOf(config: WebhooksConfig): number[] {
  return config.WEBHOOKS_RETRY_DELAYS_MS.split(',').map((part) => Number(part.trim()))
}

/** `WEBHOOKS_ALLOWED_HOSTS` as lower-case host names. */
export function allowedHostsOf(config: WebhooksConfig): string[] {
  return config.WEBHOOKS_ALLOWED_HOSTS.split(',')
    .map((host) =>
      host
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ''),
    )
    .filter(Boolean)
}
