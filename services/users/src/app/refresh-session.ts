import { AppError } from '@emporium/platform/app'
import type { users } from '@emporium/contracts'
import type { RevocationList, Store } from './ports.js'
import { revokeSessions } from './revoke.js'
import { hashRefreshToken, issueTokens, storeRefreshToken, type SessionDeps } from './session.js'

export interface RefreshSessionDeps extends SessionDeps {
  store: Store
  revocations: RevocationList
  /** How long a revocation entry must be kept: the longest access-token lifetime and a margin. */
  revocationTtlMs: number
  /** Told of every reuse: a stolen token, or a client refreshing twice at once. */
  log?: { warn(details: object, message: string): void }
}

const invalidRefreshToken = () =>
  new AppError(
    'unauthorized',
    'USERS.INVALID_REFRESH_TOKEN',
    'The refresh token is not valid, has expired or has been revoked.',
  )

type Outcome =
  | { ok: true; userId: string; refreshToken: string; familyId: string }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' }
  | { ok: false; reason: 'reused'; familyId: string }

/**
 * Exchanges a refresh token for new tokens (rotation): the old one is spent and a new one of the
 * same family issued, in one transaction. A spent token presented again — replayed by a thief,
 * or by the loser of two concurrent refreshes — revokes the whole family: whoever holds its
 * newest token is logged out too, which is the point (OAuth security BCP, RFC 9700). Every failure is the
 * same 401.
 */
export function createRefreshSession(deps: RefreshSessionDeps) {
  return async function refreshSession(refreshToken: string): Promise<users.TokenResponse> {
    const tokenHash = hashRefreshToken(refreshToken)
    const outcome = await deps.store.transaction(async (tx): Promise<Outcome> => {
      const now = deps.now()
      // The conditional update decides: of two concurrent refreshes one spends the token, the
      // other waits for its row lock and then finds it spent.
      if (await tx.refreshTokens.spend(tokenHash, now)) {
        const spent = await tx.refreshTokens.findForUpdate(tokenHash)
        if (!spent) throw new Error('a refresh token vanished while being spent')
        const next = await storeRefreshToken(tx, deps, spent.userId, spent.familyId)
        return { ok: true, userId: spent.userId, ...next }
      }
      const token = await tx.refreshTokens.findForUpdate(tokenHash)
      if (!token) return { ok: false, reason: 'unknown' }
      if (token.revokedAt) return { ok: false, reason: 'revoked' }
      if (token.usedAt) {
        // Committed, not rolled back with the 401 that follows; the family's access tokens go too.
        await tx.refreshTokens.revokeFamily(token.familyId, now)
        await tx.revocations.add(revokeSessions(deps, [token.familyId]))
        return { ok: false, reason: 'reused', familyId: token.familyId }
      }
      return { ok: false, reason: 'expired' }
    })
    if (!outcome.ok) {
      if (outcome.reason === 'reused') {
        deps.log?.warn({ familyId: outcome.familyId }, 'refresh token reused: family revoked')
        await deps.revocations.add(revokeSessions(deps, [outcome.familyId]))
      }
      throw invalidRefreshToken()
    }
    const user = await deps.store.users.findById(outcome.userId)
    if (!user) throw invalidRefreshToken()
    return issueTokens(deps, user, outcome)
  }
}
