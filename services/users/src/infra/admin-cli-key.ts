import { readFile, unlink, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import {
  createServiceTrust,
  readPrivateJwks,
  requireServiceCaller,
  type Logger,
  type ServiceCallerHook,
} from '@emporium/platform'

/** The service-credential name of the `npm run admin` command. */
export const adminCliName = 'admin-cli'

/**
 * The guard of `POST /internal/admins`: the caller must hold a key of the admin command's key file
 * (USERS_ADMIN_CLI_KEY_FILE, generated on first use, mode 0600, in the data folder of the embedded
 * mode), proven with a short-lived service credential of caller `admin-cli` for audience `users`.
 * Whoever can read the file can already read the database it sits beside.
 */
export async function adminCliCaller(file: string, log: Logger): Promise<ServiceCallerHook> {
  const { jwks, warnings } = await readPrivateJwks({
    file,
    keysVariable: 'USERS_ADMIN_CLI_KEY_FILE',
    fileVariable: 'USERS_ADMIN_CLI_KEY_FILE',
  })
  for (const warning of warnings) log.warn(warning)
  const publicKeys = jwks.map(({ d: _private, ...rest }) => rest)
  return requireServiceCaller({
    audience: 'users',
    trust: createServiceTrust({ [adminCliName]: { keys: publicKeys } }, { log }),
    allowed: [adminCliName],
  })
}

/** Where a running users service with an admin-cli key file says it answers: beside that file. */
export function adminEndpointFile(keyFile: string): string {
  return join(dirname(keyFile), 'admin-endpoint.json')
}

/**
 * Records that this process serves `POST /internal/admins` at `url` (its pid and the URL), so
 * that `npm run admin` finds it whatever ports it was started with, and never opens the PGlite
 * database this process holds (two processes on one PGlite folder corrupt it). Returns the
 * function that removes the record at shutdown.
 */
export async function recordAdminEndpoint(
  keyFile: string,
  url: string,
): Promise<() => Promise<void>> {
  const file = adminEndpointFile(keyFile)
  await writeFile(file, `${JSON.stringify({ pid: process.pid, url })}\n`, { mode: 0o600 })
  return async () => {
    await unlink(file).catch(() => undefined)
  }
}

/** The users service recorded beside `keyFile`, if its process still runs. */
export async function runningAdminEndpoint(
  keyFile: string,
): Promise<{ pid: number; url: string } | undefined> {
  let recorded: { pid?: unknown; url?: unknown }
  try {
    recorded = JSON.parse(await readFile(adminEndpointFile(keyFile), 'utf8')) as typeof recorded
  } catch {
    return undefined
  }
  const { pid, url } = recorded
  if (typeof pid !== 'number' || typeof url !== 'string' || !isAlive(pid)) return undefined
  return { pid, url }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
