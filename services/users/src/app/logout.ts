import type { Identity, Store } from './ports.js'
import { hashRefreshToken } from './session.js'

export interface LogoutDeps {
  store: Store
  now: () => Date
}

/**
 * Ends the session a refresh token belongs to: its whole family is revoked. Only the caller's
 * own sessions: a token that is unknown, or belongs to someone else, changes nothing, and the
 * answer is the same (so logout reveals nothing about other people's tokens). Access tokens
 * already issued stay valid until they expire (minutes).
 */
export function createLogout(deps: LogoutDeps) {
  return async function logout(caller: Identity, refreshToken: string): Promise<void> {
    const tokenHash = hashRefreshToken(refreshToken)
    await deps.store.transaction(async (tx) => {
      const token = await tx.refreshTokens.findForUpdate(tokenHash)
      if (token?.userId !== caller.userId) return
      await tx.refreshTokens.revokeFamily(token.familyId, deps.now())
    })
  }
}
