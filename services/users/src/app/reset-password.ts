import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import { checkPassword } from '../domain/password-policy.js'
import type { PasswordHasher, RevocationList, Store } from './ports.js'
import { hashResetToken } from './request-password-reset.js'
import { revokeSessions, type RevokeDeps } from './revoke.js'

export interface ResetPasswordDeps extends RevokeDeps {
  store: Store
  hasher: PasswordHasher
  revocations: RevocationList
}

const invalidToken = () =>
  new AppError(
    'invalid',
    'USERS.RESET_TOKEN_INVALID',
    'This password reset link is not valid: it was used, replaced by a newer one, or it ' +
      'expired. Ask for a new one.',
  )

/**
 * `POST /auth/password-reset/confirm`: sets a new password with the token of a reset link.
 * The password is judged first (a weak one is a 400 and the token stays usable). Then, in one
 * transaction: the token is spent (one conditional update: of two concurrent uses one wins),
 * the password changes, the account's other reset links are voided and every session ends
 * (refresh tokens revoked, access tokens on the revocation list, as a password change does for
 * the other sessions). The link proves the mailbox as the verification link does, so an
 * unverified address becomes verified (never granting `admin`: that needs the verification by
 * the signed-in account, see verify-email.ts).
 */
export function createResetPassword(deps: ResetPasswordDeps) {
  return async function resetPassword(input: users.PasswordResetConfirmBody): Promise<void> {
    const tokenHash = hashResetToken(input.token)
    const token = await deps.store.transaction((tx) => tx.resetTokens.findByHash(tokenHash))
    const now = deps.now()
    if (!token || token.usedAt || token.expiresAt <= now) throw invalidToken()
    const user = await deps.store.users.findById(token.userId)
    if (!user) throw invalidToken()
    checkPassword(input.password, [user.email, user.name])
    const passwordHash = await deps.hasher.hash(input.password)
    const entries = await deps.store.transaction(async (tx) => {
      const at = deps.now()
      if (!(await tx.resetTokens.spend(tokenHash, at))) throw invalidToken()
      await tx.users.updatePassword(user.id, passwordHash, at)
      await tx.resetTokens.removeUnused(user.id)
      if (!user.emailVerifiedAt) await tx.users.markVerified(user.id, at, false)
      const families = await tx.refreshTokens.liveFamilies(user.id)
      for (const family of families) await tx.refreshTokens.revokeFamily(family, at)
      const revoked = revokeSessions(deps, families)
      await tx.revocations.add(revoked)
      return revoked
    })
    await deps.revocations.add(entries)
  }
}
