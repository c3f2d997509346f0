/**
 * Revoked access tokens, before they expire: the users service adds entries when a session ends
 * (logout, a password change, a reused refresh token) or an account loses a role; every verifier
 * (the gateway and each service) refuses the tokens they name. Entries are kept only as long as
 * a token they name could still be valid (the longest access-token lifetime), so the list stays
 * small and every check is a local lookup.
 */

/** One revocation: a session (every access token of it), or every token of an account before a time. */
export type Revocation =
  | {
      kind: 'session'
      /** The session (`sid` claim): a refresh token family. */
      sessionId: string
      /** When the entry may be forgotten: no token of the session is valid past it. */
      until: Date
    }
  | {
      kind: 'user'
      userId: string
      /** Tokens of the account issued at or before this second are void. */
      before: Date
      until: Date
    }

/** What a check needs to know of a verified token. */
export interface RevocableToken {
  userId: string
  /** `sid`, when the token has one. */
  sessionId?: string
  /** `iat_ms` or `iat` (`issuedAtOf`); a token without one counts as issued long ago. */
  issuedAt?: Date
}

export interface RevocationList {
  /** Records entries so that every verifier sharing the list refuses their tokens. */
  add(entries: readonly Revocation[]): Promise<void>
  /** Whether the list (as this process knows it now) revokes the token. Synchronous, local. */
  isRevoked(token: RevocableToken): boolean
  /** Stops background work (Redis: the sync loop and the connection). */
  close(): Promise<void>
}

/**
 * The list held in this process: the embedded mode shares one between every service, and the
 * Redis list keeps one as its local view.
 */
export function createMemoryRevocationList(
  options: { now?: () => number } = {},
): RevocationList & { apply(entries: readonly Revocation[]): void; size(): number } {
  const now = options.now ?? Date.now
  const sessions = new Map<string, number>()
  // Per account, the latest `before` and the latest `until` of its entries.
  const accounts = new Map<string, { before: number; until: number }>()
  let lastPrune = now()

  function apply(entries: readonly Revocation[]): void {
    const at = now()
    for (const entry of entries) {
      const until = entry.until.getTime()
      if (until <= at) continue
      if (entry.kind === 'session') {
        sessions.set(entry.sessionId, Math.max(until, sessions.get(entry.sessionId) ?? 0))
      } else {
        const known = accounts.get(entry.userId)
        accounts.set(entry.userId, {
          before: Math.max(entry.before.getTime(), known?.before ?? 0),
          until: Math.max(until, known?.until ?? 0),
        })
      }
    }
    if (at - lastPrune > 60_000) prune(at)
  }

  function prune(at: number): void {
    lastPrune = at
    for (const [id, until] of sessions) if (until <= at) sessions.delete(id)
    for (const [id, entry] of accounts) if (entry.until <= at) accounts.delete(id)
  }

  return {
    apply,
    async add(entries) {
      apply(entries)
    },
    isRevoked(token) {
      if (sessions.size === 0 && accounts.size === 0) return false
      if (token.sessionId !== undefined && sessions.has(token.sessionId)) return true
      const account = accounts.get(token.userId)
      if (!account) return false
      // A token with only `iat` (whole seconds) of the revocation's own second is void too.
      const issuedAt = token.issuedAt?.getTime() ?? 0
      return issuedAt <= account.before
    },
    size: () => sessions.size + accounts.size,
    async close() {},
  }
}
