import { BroadcastChannel } from 'node:worker_threads'
import { AppError } from '../errors.js'
import type { Logger } from '../log.js'
import type { JwtVerifier } from './jwt-verifier.js'
import { createRedisRevocationList } from './redis-revocations.js'
import { createMemoryRevocationList, type Revocation, type RevocationList } from './revocations.js'

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
 * own (the embedded mode: the users service and every verifier share it, the gateway's worker
 * thread included — see `createProcessRevocationList`), `redis://…` the distributed one. Every
 * service of a process asking for the same URL gets the same list.
 */
export function revocationListFor(url: string, options: { log?: Logger } = {}): RevocationList {
  let list = lists.get(url)
  if (!list) {
    list =
      url === 'memory'
        ? createProcessRevocationList()
        : createRedisRevocationList({ url, log: options.log })
    lists.set(url, list)
  }
  return list
}

/**
 * A list in memory shared by every thread of the process: each thread holds its own view, and an
 * entry added in one reaches the others through a `BroadcastChannel` (the embedded mode runs the
 * gateway in a worker thread, the users service in the main one). Delivery between threads is
 * asynchronous but immediate (well under the seconds a revocation may take); a thread started
 * later does not see entries added before it, which at start-up are none: the list is not kept
 * across restarts either.
 */
export function createProcessRevocationList(
  channelName = 'emporium:revocations',
): RevocationList & { size(): number } {
  const view = createMemoryRevocationList()
  const channel = new BroadcastChannel(channelName)
  // The channel alone must not keep a process (or a worker) alive.
  channel.unref()
  channel.onmessage = (message) => {
    const entries = (message as { data: unknown }).data as Revocation[]
    if (Array.isArray(entries)) view.apply(entries)
  }
  return {
    async add(entries) {
      view.apply(entries)
      channel.postMessage(entries)
    },
    isRevoked: (token) => view.isRevoked(token),
    size: () => view.size(),
    async close() {},
  }
}
