import type { Caller, RevocationList, Store } from './ports.js'
import { revokeSessions, type RevokeDeps } from './revoke.js'
import { hashRefreshToken } from './session.js'

export interface LogoutDeps extends RevokeDeps {
  store: Store
  revocations: RevocationList
}

/**
 * Ends the session a refresh token belongs to: its whole family is revoked, and its access tokens
 * join the revocation list (refused everywhere within seconds, not at their expiry). Only the
 * caller's own sessions: a token that is unknown, or belongs to someone else, changes nothing,
 * and the answer is the same (so logout reveals nothing about other people's tokens). Repeating
 * a logout repeats the entry, so a logout whose list update failed (a 503) can be retried.
 */
export function createLogout(deps: LogoutDeps) {
  return async function logout(caller: Caller, refreshToken: string): Promise<void> {
    const tokenHash = hashRefreshToken(refreshToken)
    const entries = await deps.store.transaction(async (tx) => {
      const token = await tx.refreshTokens.findForUpdate(tokenHash)
      if (token?.userId !== caller.userId) return []
      await tx.refreshTokens.revokeFamily(token.familyId, deps.now())
      const revoked = revokeSessions(deps, [token.familyId])
      await tx.revocations.add(revoked)
      return revoked
    })
    await deps.revocations.add(entries)
  }
}
