import {
  ConfigError,
  createLogger,
  createOutbox,
  openDatabase,
  revocationListFor,
  type Database,
  type Logger,
  type RevocationList,
  type Service,
  startPeriodic,
  type PeriodicJob,
} from '@emporium/platform'
import { createAddressBook } from './app/address-book.js'
import { createChangePassword } from './app/change-password.js'
import { createRequestPasswordReset } from './app/request-password-reset.js'
import { createResetPassword } from './app/reset-password.js'
import { createResendVerification } from './app/request-verification.js'
import { createSetAdmin } from './app/set-admin.js'
import { createVerifyEmail } from './app/verify-email.js'
import { createGetMe } from './app/get-me.js'
import { createIssueGuestToken } from './app/issue-guest-token.js'
import { createLogin } from './app/login.js'
import { createLogout } from './app/logout.js'
import { createRefreshSession } from './app/refresh-session.js'
import { createRegister } from './app/register.js'
import type { SessionDeps } from './app/session.js'
import { createUpdateMe } from './app/update-me.js'
import { checkUsersConfig, type UsersConfig } from './config.js'
import { loadPasswordDictionaries } from './domain/password-policy.js'
import { parseAdminEmails } from './domain/roles.js'
import { createArgon2Hasher, type Argon2Cost } from './infra/argon2-hasher.js'
import { createAccessTokenVerifier, createJoseAccessTokens } from './infra/jose-access-tokens.js'
import { createJoseVerificationTokens } from './infra/jose-verification-tokens.js'
import { adminCliCaller, recordAdminEndpoint } from './infra/admin-cli-key.js'
import { createKyselyStore } from './infra/kysely-store.js'
import { createKyselyStaffStore } from './infra/kysely-staff.js'
import { createStaff } from './app/staff.js'
import { retryingRevocations } from './infra/retrying-revocations.js'
import { loadKeyRing } from './infra/signing-keys.js'
import { usersRoutes } from './http/routes.js'
import { withCustomerRoutes } from './http/customer-routes.js'
import { createGetCustomer, createListCustomers } from './app/customers.js'
import { createKyselyCustomers } from './infra/kysely-customers.js'

export { UsersConfig, loadUsersConfig } from './config.js'

export interface UsersServiceDeps {
  log?: Logger
  /** A database opened by the caller (tests), who then closes it; default: USERS_DATABASE_URL. */
  database?: Database
  /** The clock of tokens and timestamps; tests move it. */
  now?: () => Date
  /** The revocation list (default: the one REVOCATIONS_URL names, shared in the process). */
  revocations?: RevocationList
  /**
   * argon2id cost of new password hashes. For tests only (a cheap cost keeps suites fast);
   * production takes the library's defaults, and no environment variable reaches this.
   */
  passwordHashCost?: Argon2Cost
}

/**
 * The users service: accounts, passwords, sessions (refresh token families), access tokens and
 * the keys that sign them. Throws a ConfigError naming the variable when the configuration or
 * the signing keys are not usable.
 */
export async function createUsersService(
  config: UsersConfig,
  deps: UsersServiceDeps = {},
): Promise<Service> {
  const problems = checkUsersConfig(config)
  if (problems.length > 0) throw new ConfigError(problems)
  const log =
    deps.log ??
    createLogger({ service: 'users', level: config.LOG_LEVEL, format: config.LOG_FORMAT })
  const now = deps.now ?? (() => new Date())
  const keys = await loadKeyRing({
    keys: config.USERS_SIGNING_KEYS,
    file: config.USERS_SIGNING_KEY_FILE,
  })
  for (const warning of keys.warnings) log.warn(warning)
  const database =
    deps.database ??
    (await openDatabase(config.USERS_DATABASE_URL, {
      name: 'users',
      namedStatements: config.DATABASE_NAMED_STATEMENTS,
      deferBegin: config.DATABASE_DEFER_BEGIN,
    }))

  const outbox = createOutbox({ source: 'users', now })
  const store = createKyselyStore({ database, outbox })
  const staffStore = createKyselyStaffStore({ database, outbox })
  const hasher = createArgon2Hasher(deps.passwordHashCost)
  const accessTokens = createJoseAccessTokens({
    keys,
    issuer: config.USERS_JWT_ISSUER,
    audience: config.USERS_JWT_AUDIENCE,
    ttlSeconds: config.USERS_ACCESS_TOKEN_TTL_SECONDS,
    now,
  })
  const admins = parseAdminEmails(config.ADMIN_EMAILS)
  const revocationList = deps.revocations ?? revocationListFor(config.REVOCATIONS_URL, { log })
  const revocations = retryingRevocations(revocationList)
  // Kept until no access token they name can be valid: the lifetime, the verifiers' clock
  // tolerance and a margin.
  const revocation = {
    revocations,
    revocationTtlMs: (config.USERS_ACCESS_TOKEN_TTL_SECONDS + 60) * 1000,
    now,
  }
  const verification = {
    verificationTokens: createJoseVerificationTokens({
      keys,
      issuer: config.USERS_JWT_ISSUER,
      audience: config.USERS_JWT_AUDIENCE,
      ttlSeconds: config.USERS_VERIFICATION_TTL_SECONDS,
      now,
    }),
    publicUrl: config.USERS_PUBLIC_URL,
  }
  const adminCaller = config.USERS_ADMIN_CLI_KEY_FILE
    ? await adminCliCaller(config.USERS_ADMIN_CLI_KEY_FILE, log)
    : undefined
  const session: SessionDeps = {
    accessTokens,
    admins,
    refreshTokenTtlSeconds: config.USERS_REFRESH_TOKEN_TTL_SECONDS,
    now,
  }

  const verifier = createAccessTokenVerifier({
    keys,
    issuer: config.USERS_JWT_ISSUER,
    audience: config.USERS_JWT_AUDIENCE,
    revocations: revocationList,
  })
  const customers = createKyselyCustomers(database)

  let purge: PeriodicJob | undefined
  let redeliver: PeriodicJob | undefined
  let forgetAdminEndpoint: (() => Promise<void>) | undefined
  const service: Service = {
    name: 'users',
    database,
    migrations: new URL('../migrations/', import.meta.url),
    routes: usersRoutes({
      register: createRegister({ ...session, ...verification, store, hasher }),
      login: createLogin({ ...session, store, hasher }),
      refreshSession: createRefreshSession({ ...session, ...revocation, store, log }),
      issueGuestToken: createIssueGuestToken({
        accessTokens,
        ttlSeconds: config.USERS_GUEST_TOKEN_TTL_SECONDS,
      }),
      logout: createLogout({ ...revocation, store }),
      getMe: createGetMe({ store }),
      updateMe: createUpdateMe({ store, now }),
      verifyEmail: createVerifyEmail({ ...verification, store, admins, now }),
      resendVerification: createResendVerification({ ...verification, store }),
      changePassword: createChangePassword({ ...revocation, store, hasher }),
      setAdmin: createSetAdmin({ ...revocation, store, admins }),
      requestPasswordReset: createRequestPasswordReset({
        store,
        publicUrl: config.USERS_PUBLIC_URL,
        resetTtlSeconds: config.USERS_PASSWORD_RESET_TTL_SECONDS,
        now,
      }),
      resetPassword: createResetPassword({ ...revocation, store, hasher }),
      addresses: createAddressBook({ store, now }),
      staff: createStaff({
        ...revocation,
        store,
        staff: staffStore,
        hasher,
        publicUrl: config.USERS_PUBLIC_URL,
      }),
      adminCaller,
      verifier,
      jwks: () => keys.jwks,
    }),
    async start() {
      // The list in memory starts empty, and Redis may have lost entries: the stored ones go
      // back in (re-adding an entry is harmless). Redis down: they go once it is back (below).
      await revocations.add(await store.activeRevocations(now())).catch((error: unknown) => {
        log.warn(
          { err: error },
          'revocation list unreachable: stored entries added when it is back',
        )
      })
      // zxcvbn's dictionaries, built once now rather than on the first registration.
      loadPasswordDictionaries()
      // Sessions expired a day ago or more go, whole families at once; hourly is plenty.
      purge = startPeriodic({
        everyMs: sessionPurgeEveryMs,
        log,
        what: 'expired session purge',
        run: async () => {
          const count = await store.purgeExpiredSessions(new Date(now().getTime() - dayMs))
          if (count > 0) log.info({ count }, 'expired refresh tokens deleted')
          await store.purgeRevocations(now())
          await store.purgeResetTokens(new Date(now().getTime() - dayMs))
        },
      })
      // Entries a failed add left behind (Redis down) reach the verifiers once it is back.
      redeliver = startPeriodic({
        everyMs: 5000,
        log,
        what: 'revocation list update',
        run: () => revocations.flush(),
      })
      if (config.USERS_ADMIN_CLI_KEY_FILE) {
        const host = config.USERS_HOST === '0.0.0.0' ? '127.0.0.1' : config.USERS_HOST
        forgetAdminEndpoint = await recordAdminEndpoint(
          config.USERS_ADMIN_CLI_KEY_FILE,
          `http://${host}:${config.USERS_PORT}`,
        )
      }
    },
    close: async () => {
      await purge?.stop()
      await redeliver?.stop()
      await forgetAdminEndpoint?.()
      if (!deps.database) await database.close()
    },
  }
  // The staff's customers list and page (issue 19), beside the users' routes.
  return {
    ...service,
    routes: withCustomerRoutes(service.routes, {
      verifier,
      listCustomers: createListCustomers({ customers }),
      getCustomer: createGetCustomer({ customers }),
    }),
  }
}

const dayMs = 24 * 60 * 60 * 1000
const sessionPurgeEveryMs = 60 * 60 * 1000
