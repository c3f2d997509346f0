import Type from 'typebox'
import { loadConfig, SharedConfig } from '@emporium/platform'

/** The payments service's environment variables. */
export const PaymentsConfig = Type.Object({
  ...SharedConfig,
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  PAYMENTS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8085 }),
  /** Interface to listen on. */
  PAYMENTS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** The service's database: `postgres://…` in production, `pglite:<folder>` embedded. */
  PAYMENTS_DATABASE_URL: Type.String({ pattern: '^(postgres|postgresql)://|^pglite:' }),
  /**
   * The simulated acquirer's own database (PostgreSQL): it stands for an external PSP, whose
   * work is not ours to count (the checkout benchmark counts it apart). Default: a table in
   * PAYMENTS_DATABASE_URL.
   */
  PAYMENTS_SIMULATOR_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^(postgres|postgresql)://' }),
  ),
  /** JWKS of the users service, to verify the bearer tokens the gateway forwards. */
  PAYMENTS_JWKS_URL: Type.String({ pattern: '^https?://' }),
  /** Expected `iss` of access tokens. */
  PAYMENTS_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** Expected `aud` of access tokens. */
  PAYMENTS_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /**
   * The services that may call the internal routes and where their public keys come from: a
   * JSON object, service name to its JWKS URL or an array of its public JWKs, e.g.
   * `{"orders":"http://orders:8084/.well-known/service-jwks.json"}`. Only `orders` is admitted
   * (POST /internal/payment-methods). Empty (the default): none, so checkout cannot tokenize cards.
   */
  PAYMENTS_TRUSTED_CALLERS: Type.String({ default: '' }),
  /** The payment provider: only the built-in simulated acquirer (API.md's test cards) for now. */
  PAYMENTS_PROVIDER: Type.Union([Type.Literal('simulated')], { default: 'simulated' }),
  /** How long the simulated acquirer takes to answer for the "slow" test card. */
  PAYMENTS_SIMULATED_SLOW_MS: Type.Integer({ minimum: 0, maximum: 120_000, default: 5000 }),
  /** Bound of one provider call; past it the call counts as a transient failure. */
  PAYMENTS_PROVIDER_TIMEOUT_MS: Type.Integer({ minimum: 10, maximum: 120_000, default: 10_000 }),
  /** Attempts of one provider call (the first included) while it fails transiently. */
  PAYMENTS_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 10, default: 4 }),
  /** First delay of the jittered exponential backoff between attempts. */
  PAYMENTS_RETRY_BASE_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 200 }),
  /**
   * Fault injection, for the chaos runner (`npm run chaos`): serve `POST /internal/simulator/faults`
   * (admin token; never routed by the gateway), which makes the simulated acquirer refuse calls or
   * lose its answers for a while. Off by default; never on in production.
   */
  PAYMENTS_SIMULATED_FAULTS_API: Type.Boolean({ default: false }),
  /**
   * Velocity limits on declined payments (card testing): past either limit within the window,
   * tokenizing a card for that user, or that card for anyone, is refused with 429 and
   * `retry-after` before the provider is asked. Declines by the provider count; cancellations do not.
   */
  PAYMENTS_DECLINE_WINDOW_SECONDS: Type.Integer({ minimum: 1, maximum: 604_800, default: 3600 }),
  /** Most declined payments of one user within the window. */
  PAYMENTS_MAX_DECLINES_PER_USER: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 5 }),
  /** Most declined payments of one card (by fingerprint, across users) within the window. */
  PAYMENTS_MAX_DECLINES_PER_CARD: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 3 }),
  /**
   * Secret of the card fingerprints (HMAC-SHA256 of the number) that tell one card across users.
   * Set a random value of 32+ characters in production and keep it: a new one starts every card's
   * count afresh. The default suits development only.
   */
  PAYMENTS_CARD_FINGERPRINT_KEY: Type.String({
    minLength: 16,
    default: 'emporium-development-card-fingerprint-key',
  }),
})
export type PaymentsConfig = Type.Static<typeof PaymentsConfig>

/** Loads and checks the configuration; throws a ConfigError naming the variables. */
export function loadPaymentsConfig(
  env: Record<string, string | undefined> = process.env,
): PaymentsConfig {
  return loadConfig(PaymentsConfig, env)
}
