import { randomUUID } from 'node:crypto'
import type { users } from '@emporium/contracts'
import { guestIdPrefix, guestRole } from '@emporium/platform/app'
import type { AccessTokens } from './ports.js'

export interface IssueGuestTokenDeps {
  accessTokens: Pick<AccessTokens, 'issueGuest'>
  /** USERS_GUEST_TOKEN_TTL_SECONDS. */
  ttlSeconds: number
}

/**
 * A new guest: a cart token naming a fresh `guest_<uuid>` with the role `guest` alone. Nothing is
 * stored: the token is the guest, and every service knows it by its verified `sub` (its cart,
 * its orders), as it knows an account. Account routes refuse it (403 AUTH.GUEST_NOT_ALLOWED).
 */
export function createIssueGuestToken(deps: IssueGuestTokenDeps) {
  return async function issueGuestToken(): Promise<users.GuestTokenResponse> {
    const { token, expiresIn } = await deps.accessTokens.issueGuest(
      // No account id (a UUID) starts with the prefix: a guest is never taken for an account.
      { userId: `${guestIdPrefix}${randomUUID()}`, roles: [guestRole] },
      deps.ttlSeconds,
    )
    return { cartToken: token, expiresIn }
  }
}
