import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import type { JwtVerifier } from './jwt-verifier.js'
import { createRedisRevocationList } from './redis-revocations.js'
import { createMemoryRevocationList, type RevocationList } from './revocations.js'

export function tokenRevoked(): AppError {
  return new AppError('unauthorized', 'AUTH.TOKEN_REVOKED', 'The access token has been revoked.')
}

/**
 * A verifier that also refuses revoked tokens (logout, password change, a role taken away),
 * checked on every call after the signature (a cached verification included): the check is a
 * lookup in this process's view of the list.
 */
export function withRevocations(inner: JwtVerifier, list: RevocationList): JwtVerifier {
  return {
    async verify(token) {
      const verified = await inner.verify(token)
      if (list.isRevoked(verified)) throw tokenRevoked()
      return verified
    },
  }
}

const lists = new Map<string, RevocationList>()

/**
 * The revocation list REVOCATIONS_URL names, one per process and URL: `memory` is this process's
 * own (the embedded mode: the users service and every verifier share it), `redis://…` the
 * distributed one. Every service of a process asking for the same URL gets the same list.
 */
export function revocationListFor(url: string, options: { log?: Logger } = {}): RevocationList {
  let list = lists.get(url)
  if (!list) {
    list =
      url === 'memory'
        ? createMemoryRevocationList()
        : createRedisRevocationList({ url, log: options.log })
    lists.set(url, list)
  }
  return list
}
