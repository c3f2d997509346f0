import type { RevocationEntry, RevocationList } from '../app/ports.js'

/**
 * The revocation list as the users service writes it: entries whose `add` failed (Redis
 * unreachable; the request that made them answered 503, their rows are committed) are kept here
 * and added again by `flush`, which the service runs every few seconds. Without it they would
 * reach the verifiers only at the service's next start, however soon Redis came back.
 */
export function retryingRevocations(
  list: RevocationList,
): RevocationList & { flush(): Promise<void>; pending(): number } {
  let pending: RevocationEntry[] = []
  return {
    async add(entries) {
      try {
        await list.add(entries)
      } catch (error) {
        pending.push(...entries)
        throw error
      }
    },
    isRevoked: (token) => list.isRevoked(token),
    async flush() {
      if (pending.length === 0) return
      const entries = pending
      pending = []
      try {
        await list.add(entries)
      } catch (error) {
        pending = [...entries, ...pending]
        throw error
      }
    },
    pending: () => pending.length,
  }
}
