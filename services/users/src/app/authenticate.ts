import { AppError } from '@emporium/platform'
import type { AccessTokens, Identity, RevocationList } from './ports.js'

const codes = {
  missing: 'USERS.MISSING_TOKEN',
  invalid: 'USERS.INVALID_TOKEN',
  revoked: 'AUTH.TOKEN_REVOKED',
} as const

/** Why a request is not authenticated; the HTTP layer answers 401 with `www-authenticate`. */
export class Unauthenticated extends AppError {
  constructor(
    readonly reason: 'missing' | 'invalid' | 'revoked',
    message: string,
  ) {
    // A revoked token has the code every other verifier gives it (the platform's).
    super('unauthorized', codes[reason], message)
  }
}

/**
 * The identity an `Authorization: Bearer` header proves, verified with this service's own keys:
 * the gateway verifies too, but a request that reached the service another way must not be
 * able to claim an identity. A revoked token (logout, password change, admin revoked) is refused
 * as the gateway refuses it.
 */
export function createAuthenticate(deps: {
  accessTokens: AccessTokens
  revocations?: Pick<RevocationList, 'isRevoked'>
}) {
  return async function authenticate(authorization: string | undefined): Promise<Identity> {
    if (!authorization) {
      throw new Unauthenticated('missing', 'This request needs a bearer access token.')
    }
    const match = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim())
    const identity = match?.[1] ? await deps.accessTokens.verify(match[1]) : undefined
    if (!identity) {
      throw new Unauthenticated('invalid', 'The access token is not valid or has expired.')
    }
    if (deps.revocations?.isRevoked(identity)) {
      throw new Unauthenticated('revoked', 'The access token has been revoked.')
    }
    return identity
  }
}
