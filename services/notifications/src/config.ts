import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The notifications service's environment variables. */
export const NotificationsConfig = Type.Object({
  ...SharedConfig,
  /**
   * The shared setting with this service's default: its consumers' effects are waited for by
   * nobody (an e-mail or a status change may leave 50 ms later), so batches wait 50 ms for more deliveries and a moderate rate
   * costs fewer transactions (docs/messaging.md).
   */
  RABBITMQ_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 5_000, default: 50 }),
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  NOTIFICATIONS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8086 }),
  /** Interface to listen on. */
  NOTIFICATIONS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /**
   * The service's database (status projection, messages, recipients, inbox):
   * `postgres://…` in production, `pglite:<folder>` embedded.
   */
  NOTIFICATIONS_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  NOTIFICATIONS_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  NOTIFICATIONS_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  NOTIFICATIONS_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /**
   * How messages leave: `log` (logged without their content), `file:<path>` (one JSON line per
   * message appended to the file), or an `smtp://` / `smtps://` URL (sent through nodemailer).
   */
  NOTIFICATIONS_SENDER: Type.String({ default: 'log', pattern: '^(log|file:.+|smtps?://.+)$' }),
  /** The `From` of every message. */
  NOTIFICATIONS_FROM: Type.String({ default: 'Emporium <orders@emporium.local>', minLength: 3 }),
  /**
   * The storefront's base URL, as USERS_PUBLIC_URL is for the users service's links: an order
   * confirmation links to `<it>/orders/<orderId>` (an account) or `<it>/order-links/<token>` (a
   * guest's signed link), as do shipment e-mails.
   */
  NOTIFICATIONS_PUBLIC_URL: Type.String({
    default: 'http://localhost:8080',
    pattern: '^https?://[^\\s]+$',
  }),
  /** Attempts to send one message before it is marked failed. */
  NOTIFICATIONS_SEND_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 50, default: 6 }),
  /** How often an open status stream checks the shared database for changes. */
  NOTIFICATIONS_STREAM_POLL_MS: Type.Integer({ minimum: 20, maximum: 60_000, default: 500 }),
  /** Seconds between heartbeat comments on an open status stream. */
  NOTIFICATIONS_STREAM_HEARTBEAT_SECONDS: Type.Integer({ minimum: 1, maximum: 300, default: 15 }),
  /** How long a stream of an order not yet known waits for its `order.placed` before a 404. */
  NOTIFICATIONS_STREAM_ORDER_WAIT_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 5000 }),
  /**
   * Order-status streams one user may have open at once, across every replica (counted in the
   * database); one more is a 429 with `retry-after`.
   */
  NOTIFICATIONS_MAX_STREAMS_PER_USER: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
})
export type NotificationsConfig = Type.Static<typeof NotificationsConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadNotificationsConfig(
  env: Record<string, string | undefined> = process.env,
): NotificationsConfig {
  return loadConfig(NotificationsConfig, env)
}
