import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import Type from 'typebox'
import type { users } from '@emporium/contracts'
import {
  AppError,
  createMemoryRevocationList,
  createOutbox,
  createRedisRevocationList,
  createServiceCredentials,
  isAppError,
  loadConfig,
  migrate,
  openDatabase,
  serviceAuthorizationHeader,
  SharedConfig,
} from '@emporium/platform'
import { createSetAdmin } from './app/set-admin.js'
import { parseAdminEmails } from './domain/roles.js'
import { adminCliName, runningAdminEndpoint } from './infra/admin-cli-key.js'
import { createKyselyStore } from './infra/kysely-store.js'

/** The command's environment: the users database when distributed, DATA_DIR when embedded. */
export const AdminCommandConfig = Type.Object({
  REVOCATIONS_URL: SharedConfig.REVOCATIONS_URL,
  /** Distributed: the users database (the command writes to it, and to REVOCATIONS_URL). */
  USERS_DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^(mysql|mariadb|postgres|postgresql)://|^pglite:' }),
  ),
  ADMIN_EMAILS: Type.String({ default: '' }),
  USERS_ACCESS_TOKEN_TTL_SECONDS: Type.Integer({ minimum: 30, maximum: 86_400, default: 900 }),
  /** Embedded: the platform's data folder. */
  DATA_DIR: Type.String({ default: './.data', minLength: 1 }),
  EMBEDDED_PORT_BASE: Type.Integer({ minimum: 1, maximum: 65000, default: 8081 }),
  /**
   * Embedded: where the running users service answers (default: the address it records in
   * DATA_DIR while it runs, else 127.0.0.1:EMBEDDED_PORT_BASE).
   */
  USERS_ADMIN_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
})
export type AdminCommandConfig = Type.Static<typeof AdminCommandConfig>

export interface Output {
  out(line: string): void
  err(line: string): void
}

export const usage = 'usage: npm run admin -- grant <email> | revoke <email>'

/**
 * `npm run admin -- grant|revoke <email>`. Distributed (USERS_DATABASE_URL set): writes the users
 * database and the revocation list itself. Embedded: the running platform holds the PGlite
 * database, so the command asks its users service (`POST /internal/admins`, proven with the key
 * file the service keeps in DATA_DIR, at the address it records there while it runs); only when no
 * platform runs does it open the database itself (the revocation entry is stored, and loaded when
 * the platform starts). Returns the exit code:
 * 0 done (or already so), 1 no such account, 2 usage or configuration, 3 the service failed.
 */
export async function runAdminCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  output: Output,
): Promise<number> {
  const [action, email, ...rest] = args
  if ((action !== 'grant' && action !== 'revoke') || !email || rest.length > 0) {
    output.err(usage)
    return 2
  }
  let config: AdminCommandConfig
  try {
    config = loadConfig(AdminCommandConfig, env)
  } catch (error) {
    output.err(error instanceof Error ? error.message : String(error))
    return 2
  }
  const body: users.AdminRoleBody = { action, email }
  if (action === 'revoke' && config.USERS_DATABASE_URL && config.REVOCATIONS_URL === 'memory') {
    // The separate processes of a distributed platform share no memory: only Redis reaches them.
    output.err(
      "warning: REVOCATIONS_URL is not set: the running services keep accepting the account's " +
        "access tokens until they expire; run this again with the platform's REVOCATIONS_URL",
    )
  }
  try {
    const result = config.USERS_DATABASE_URL
      ? await direct(config.USERS_DATABASE_URL, config, body)
      : ((await throughService(config, body)) ??
        (await direct(`pglite:${resolve(config.DATA_DIR)}/pglite?schema=users`, config, body)))
    report(result, action, output)
    return 0
  } catch (error) {
    if (isAppError(error) && error.code === 'USERS.UNKNOWN_EMAIL') {
      output.err(`no account has the e-mail address ${email}`)
      return 1
    }
    output.err(`admin ${action} failed: ${error instanceof Error ? error.message : String(error)}`)
    return 3
  }
}

function report(result: users.AdminRoleResult, action: string, output: Output): void {
  const who = result.user.email
  if (!result.changed) {
    output.out(
      `${who} ${action === 'grant' ? 'is admin already' : 'is not admin'}: nothing changed`,
    )
  } else if (action === 'grant') {
    output.out(`${who} is admin now (its sessions get the role at their next refresh)`)
  } else {
    output.out(`${who} is no longer admin; its access tokens are refused from now on`)
  }
  if (action === 'revoke' && result.listedInAdminEmails) {
    output.err(`note: ${who} is still in ADMIN_EMAILS: remove it there too`)
  }
}

/** Through the running users service; undefined when none answers (or it never ran). */
async function throughService(
  config: AdminCommandConfig,
  body: users.AdminRoleBody,
): Promise<users.AdminRoleResult | undefined> {
  const keyFile = `${resolve(config.DATA_DIR)}/users/admin-cli-keys.json`
  let keys: unknown
  try {
    keys = JSON.parse(await readFile(keyFile, 'utf8'))
  } catch {
    return undefined // the embedded platform never ran here
  }
  const credentials = createServiceCredentials({ caller: adminCliName, keys: keys as never })
  // A running platform says where it answers (whatever EMBEDDED_PORT_BASE it was started with).
  const running = await runningAdminEndpoint(keyFile)
  const base =
    config.USERS_ADMIN_URL ?? running?.url ?? `http://127.0.0.1:${config.EMBEDDED_PORT_BASE}`
  let response: Response
  try {
    response = await fetch(`${base}/internal/admins`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [serviceAuthorizationHeader]: await credentials.authorization('users'),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
  } catch (error) {
    // Opening the database beside a running platform would corrupt it: only when none runs.
    if (refused(error) && !running) return undefined
    if (running) {
      throw new Error(
        `the embedded platform (pid ${running.pid}) holds the database but did not answer at ${base}`,
        { cause: error },
      )
    }
    throw error
  }
  const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>
  if (response.ok) return answer as users.AdminRoleResult
  if (answer.code === 'USERS.UNKNOWN_EMAIL') {
    throw new AppError('not_found', 'USERS.UNKNOWN_EMAIL', String(answer.detail))
  }
  throw new Error(`the users service answered ${response.status}: ${String(answer.detail ?? '')}`)
}

function refused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause
  return cause?.code === 'ECONNREFUSED'
}

/** Against the database itself. */
async function direct(
  url: string,
  config: AdminCommandConfig,
  body: users.AdminRoleBody,
): Promise<users.AdminRoleResult> {
  const database = await openDatabase(url)
  // Its own list (not the process's shared one): closed when the command ends.
  const revocations =
    config.REVOCATIONS_URL === 'memory'
      ? createMemoryRevocationList()
      : createRedisRevocationList({ url: config.REVOCATIONS_URL })
  try {
    await migrate(database, { migrations: new URL('../migrations/', import.meta.url) })
    const setAdmin = createSetAdmin({
      store: createKyselyStore({ database, outbox: createOutbox({ source: 'users' }) }),
      revocations,
      admins: parseAdminEmails(config.ADMIN_EMAILS),
      revocationTtlMs: (config.USERS_ACCESS_TOKEN_TTL_SECONDS + 60) * 1000,
      now: () => new Date(),
    })
    return await setAdmin(body)
  } finally {
    await revocations.close()
    await database.close()
  }
}
