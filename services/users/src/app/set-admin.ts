import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import { normalizeEmail } from '../domain/email.js'
import { isListedAdmin } from '../domain/roles.js'
import type { RevocationList, Store } from './ports.js'
import { revokeAccountTokens, type RevokeDeps } from './revoke.js'
import { toUser } from './session.js'

export interface SetAdminDeps extends RevokeDeps {
  store: Store
  revocations: RevocationList
  admins: ReadonlySet<string>
}

/**
 * Grants or revokes `admin` (the `npm run admin` command). A revoke also voids every access
 * token the account holds (the revocation list): the next refresh gives a token without
 * `admin`, within seconds rather than at the token's expiry. A grant shows at the next refresh.
 * Repeating a revoke puts the account's stored entries on the list again, so a revoke whose list
 * update failed can be retried.
 */
export function createSetAdmin(deps: SetAdminDeps) {
  return async function setAdmin(input: users.AdminRoleBody): Promise<users.AdminRoleResult> {
    const user = await deps.store.users.findByEmail(normalizeEmail(input.email))
    if (!user) {
      throw new AppError('not_found', 'USERS.UNKNOWN_EMAIL', 'No account has this e-mail address.')
    }
    const admin = input.action === 'grant'
    const listedInAdminEmails = isListedAdmin(user.email, deps.admins)
    if (user.isAdmin === admin) {
      // A revoke whose list update failed (Redis down after the database committed: the command
      // exits 3) is finished by running it again: the account's stored entries go to the list.
      if (!admin) {
        const stored = await deps.store.activeRevocations(deps.now())
        await deps.revocations.add(
          stored.filter((entry) => entry.kind === 'user' && entry.userId === user.id),
        )
      }
      return { user: toUser(user), changed: false, listedInAdminEmails }
    }
    const entries = await deps.store.transaction(async (tx) => {
      await tx.users.setAdmin(user.id, admin, deps.now())
      if (admin) return []
      const revoked = [revokeAccountTokens(deps, user.id)]
      await tx.revocations.add(revoked)
      return revoked
    })
    await deps.revocations.add(entries)
    return { user: toUser({ ...user, isAdmin: admin }), changed: true, listedInAdminEmails }
  }
}
