import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import { checkPassword } from '../domain/password-policy.js'
import { unknownAccount } from './get-me.js'
import type { Caller, PasswordHasher, RevocationList, Store } from './ports.js'
import { revokeSessions, type RevokeDeps } from './revoke.js'

export interface ChangePasswordDeps extends RevokeDeps {
  store: Store
  hasher: PasswordHasher
  revocations: RevocationList
}

const wrongPassword = () =>
  new AppError('forbidden', 'USERS.WRONG_PASSWORD', 'The current password is wrong.')

/**
 * Changes the caller's password, given the current one. Every other session of the account ends
 * (its refresh tokens revoked, its access tokens on the revocation list): whoever knew the old
 * password is signed out everywhere within seconds. The caller's own session goes on.
 */
export function createChangePassword(deps: ChangePasswordDeps) {
  return async function changePassword(
    caller: Caller,
    input: users.ChangePasswordBody,
  ): Promise<void> {
    const user = await deps.store.users.findById(caller.userId)
    if (!user) throw unknownAccount()
    if (!(await deps.hasher.verify(user.passwordHash, input.currentPassword))) {
      throw wrongPassword()
    }
    // The old password is context too: a new one close to it is no change.
    checkPassword(input.newPassword, [user.email, user.name, input.currentPassword], {
      path: '/body/newPassword',
    })
    const passwordHash = await deps.hasher.hash(input.newPassword)
    const entries = await deps.store.transaction(async (tx) => {
      const now = deps.now()
      await tx.users.updatePassword(user.id, passwordHash, now)
      const others = (await tx.refreshTokens.liveFamilies(user.id)).filter(
        (family) => family !== caller.sessionId,
      )
      for (const family of others) await tx.refreshTokens.revokeFamily(family, now)
      const revoked = revokeSessions(deps, others)
      await tx.revocations.add(revoked)
      return revoked
    })
    await deps.revocations.add(entries)
  }
}
