import Type from 'typebox'
import { ConfigError, loadConfig, SharedConfig } from '@emporium/platform'

/** The users service's environment variables. */
export const UsersConfig = Type.Object({
  ...SharedConfig,
  /** Port of the service's HTTP API (internal: the public reaches it through the gateway). */
  USERS_PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8081 }),
  /** Interface to listen on. */
  USERS_HOST: Type.String({ default: '0.0.0.0', minLength: 1 }),
  /** `mysql://user:pass@host:3306/users` in production, `pglite:<folder>` embedded. */
  USERS_DATABASE_URL: Type.String({ pattern: '^(mysql|mariadb|postgres|postgresql)://|^pglite:' }),
  /** `iss` of access tokens; verifiers (the gateway) check it. */
  USERS_JWT_ISSUER: Type.String({ default: 'emporium-users', minLength: 1 }),
  /** `aud` of access tokens; verifiers (the gateway) check it. */
  USERS_JWT_AUDIENCE: Type.String({ default: 'emporium', minLength: 1 }),
  /** Lifetime of an access token (they cannot be revoked: keep it short). */
  USERS_ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
  /**
   * Lifetime of a guest's cart token (`POST /api/v1/auth/guest`): the guest's cart lives as long
   * (an access token of its own, roles `['guest']`, that nothing can revoke but its expiry).
   */
  USERS_GUEST_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 300,
    maximum: 366 * 86_400,
    default: 30 * 86_400,
  }),
  /** Lifetime of a refresh token; each refresh issues a new one with a new lifetime. */
  USERS_REFRESH_TOKEN_TTL_SECONDS: Type.Integer({
    minimum: 60,
    maximum: 366 * 86_400,
    default: 30 * 86_400,
  }),
  /**
   * Signing keys as a JSON array of private JWKs (Ed25519 `OKP` or P-256 `EC`, each with a
   * `kid`): the first signs, all verify. To rotate, put a new key first and drop the old one
   * once the tokens it signed have expired. Takes precedence over USERS_SIGNING_KEY_FILE.
   */
  USERS_SIGNING_KEYS: Type.Optional(Type.String()),
  /**
   * A file holding the signing keys in the same JSON form; generated (Ed25519, mode 0600) when
   * it does not exist. The embedded mode keeps it in the service's data folder.
   */
  USERS_SIGNING_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * E-mails that get the `admin` role once the address is verified (through the link of the
   * verification e-mail; or at sign-in, for one verified before it was listed), comma-separated,
   * case-insensitive. Registration alone never grants it. Taking an address out does not revoke
   * admin: `npm run admin -- revoke <email>` does.
   */
  ADMIN_EMAILS: Type.String({ default: '' }),
  /**
   * The storefront's base URL: verification links are `<it>/verify-email#token=…`, password
   * reset links `<it>/reset-password#token=…`.
   */
  USERS_PUBLIC_URL: Type.String({
    default: 'http://localhost:8080',
    pattern: '^https?://[^\\s]+$',
  }),
  /** How long a verification link works. */
  USERS_VERIFICATION_TTL_SECONDS: Type.Integer({
    minimum: 300,
    maximum: 7 * 86_400,
    default: 86_400,
  }),
  /** How long a password reset link works; a newer link voids the older ones sooner. */
  USERS_PASSWORD_RESET_TTL_SECONDS: Type.Integer({
    minimum: 300,
    maximum: 86_400,
    default: 3600,
  }),
  /**
   * A file of private JWKs (generated, mode 0600, when missing) whose holder may call
   * `POST /internal/admins` as `admin-cli`: the `npm run admin` command against a running
   * embedded platform. Unset (the default outside the embedded mode): no such route; the command
   * then writes to USERS_DATABASE_URL itself.
   */
  USERS_ADMIN_CLI_KEY_FILE: Type.Optional(Type.String({ minLength: 1 })),
})
export type UsersConfig = Type.Static<typeof UsersConfig>

/**
 * Loads and checks the configuration: besides each variable's own schema, one key source must
 * be set (the keys themselves are checked when they are loaded, naming the variable too).
 * Throws a ConfigError naming the variables.
 */
export function loadUsersConfig(
  env: Record<string, string | undefined> = process.env,
): UsersConfig {
  // The key source is checked on the raw variables too, so one run names every problem.
  const keySource = checkUsersConfig(env as Partial<UsersConfig> as UsersConfig)
  let config: UsersConfig
  try {
    config = loadConfig(UsersConfig, env)
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError([...error.problems, ...keySource])
    throw error
  }
  if (keySource.length > 0) throw new ConfigError(keySource)
  return config
}

/** What is wrong with a configuration beyond its schema (for configs built in code too). */
export function checkUsersConfig(config: UsersConfig): string[] {
  if (config.USERS_SIGNING_KEYS || config.USERS_SIGNING_KEY_FILE) return []
  return ['USERS_SIGNING_KEYS or USERS_SIGNING_KEY_FILE is required but neither is set']
}
