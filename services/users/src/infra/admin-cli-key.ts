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
