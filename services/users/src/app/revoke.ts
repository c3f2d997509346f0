import type { RevocationEntry } from './ports.js'

/** What building revocation entries needs. */
export interface RevokeDeps {
  now: () => Date
  /** How long an entry must be kept: the longest access-token lifetime and a margin. */
  revocationTtlMs: number
}

/** Entries that void every access token of these sessions (refresh token families). */
export function revokeSessions(deps: RevokeDeps, familyIds: readonly string[]): RevocationEntry[] {
  const until = new Date(deps.now().getTime() + deps.revocationTtlMs)
  return familyIds.map((sessionId) => ({ kind: 'session', sessionId, until }))
}

/** An entry that voids every access token of the account issued until now. */
export function revokeAccountTokens(deps: RevokeDeps, userId: string): RevocationEntry {
  const now = deps.now()
  return {
    kind: 'user',
    userId,
    before: now,
    until: new Date(now.getTime() + deps.revocationTtlMs),
  }
}
