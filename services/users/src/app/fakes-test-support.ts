import type { users } from '@emporium/contracts'
import type {
  AccessTokens,
  AddressRecord,
  Addresses,
  ResetTokenRecord,
  ResetTokens,
  GuestIdentity,
  Identity,
  PasswordHasher,
  RefreshTokenRecord,
  RefreshTokens,
  Repositories,
  RevocationEntry,
  RevocationList,
  Store,
  UserRecord,
  Users,
  VerificationTokens,
} from './ports.js'
import type { VerificationDeps } from './request-verification.js'
import type { RevokeDeps } from './revoke.js'
import type { SessionDeps } from './session.js'

/**
 * In-memory fakes of the ports. Transactions run one at a time and roll back on a throw, which
 * is what the use cases rely on from a database.
 */
export function createFakeStore() {
  let userRows = new Map<string, UserRecord>()
  let tokenRows = new Map<string, RefreshTokenRecord>()
  let events: users.UserRegisteredData[] = []
  let verificationEvents: users.UserVerificationRequestedData[] = []
  let storedRevocations: RevocationEntry[] = []
  let addressRows = new Map<string, AddressRecord>()
  let resetRows = new Map<string, ResetTokenRecord>()
  let resetEvents: users.UserPasswordResetRequestedData[] = []
  let queue: Promise<unknown> = Promise.resolve()
  /** Set to make the next insert fail as a concurrent registration would. */
  const faults = { nextInsertTaken: false }

  const usersRepo: Users = {
    findById: async (id) => copy(userRows.get(id)),
    findByEmail: async (email) => copy([...userRows.values()].find((u) => u.email === email)),
    async insert(user) {
      if (faults.nextInsertTaken || [...userRows.values()].some((u) => u.email === user.email)) {
        faults.nextInsertTaken = false
        return 'email_taken'
      }
      userRows.set(user.id, { ...user })
      return 'inserted'
    },
    async updateName(id, name, now) {
      const user = userRows.get(id)
      if (!user) return undefined
      userRows.set(id, { ...user, name, updatedAt: now })
      return copy(userRows.get(id))
    },
    async markVerified(id, now, grantAdmin) {
      const user = userRows.get(id)
      if (!user || user.emailVerifiedAt) return false
      userRows.set(id, {
        ...user,
        emailVerifiedAt: now,
        isAdmin: user.isAdmin || grantAdmin,
        updatedAt: now,
      })
      return true
    },
    async setAdmin(id, isAdmin, now) {
      const user = userRows.get(id)
      if (user) userRows.set(id, { ...user, isAdmin, updatedAt: now })
    },
    async updatePassword(id, passwordHash, now) {
      const user = userRows.get(id)
      if (user) userRows.set(id, { ...user, passwordHash, updatedAt: now })
    },
  }
  const refreshTokens: RefreshTokens = {
    async insert(token) {
      if (tokenRows.has(token.tokenHash)) throw new Error('duplicate token hash')
      tokenRows.set(token.tokenHash, { ...token })
    },
    findForUpdate: async (hash) => copy(tokenRows.get(hash)),
    async spend(hash, now) {
      const token = tokenRows.get(hash)
      if (!token || token.usedAt || token.revokedAt || token.expiresAt <= now) return false
      tokenRows.set(hash, { ...token, usedAt: now })
      return true
    },
    async revokeFamily(familyId, now) {
      for (const [hash, token] of tokenRows) {
        if (token.familyId === familyId && !token.revokedAt) {
          tokenRows.set(hash, { ...token, revokedAt: now })
        }
      }
    },
    liveFamilies: async (userId) => [
      ...new Set(
        [...tokenRows.values()]
          .filter((t) => t.userId === userId && !t.revokedAt)
          .map((t) => t.familyId),
      ),
    ],
  }
  const addresses: Addresses = {
    list: async (userId) =>
      [...addressRows.values()]
        .filter((a) => a.userId === userId)
        .sort(
          (a, b) =>
            Number(b.isDefault) - Number(a.isDefault) ||
            b.createdAt.getTime() - a.createdAt.getTime() ||
            b.id.localeCompare(a.id),
        )
        .map((a) => ({ ...a })),
    lockBook: async (userId) => userRows.has(userId),
    async insert(address) {
      addressRows.set(address.id, { ...address })
    },
    async update(address) {
      const row = addressRows.get(address.id)
      if (row?.userId === address.userId) addressRows.set(address.id, { ...address })
    },
    async remove(userId, id) {
      if (addressRows.get(id)?.userId === userId) addressRows.delete(id)
    },
    async setDefault(userId, id) {
      for (const [key, row] of addressRows) {
        if (row.userId === userId) addressRows.set(key, { ...row, isDefault: key === id })
      }
    },
  }
  const resetTokens: ResetTokens = {
    async removeUnused(userId) {
      for (const [hash, row] of resetRows) {
        if (row.userId === userId && !row.usedAt) resetRows.delete(hash)
      }
    },
    async insert(token) {
      resetRows.set(token.tokenHash, { ...token })
    },
    findByHash: async (hash) => copy(resetRows.get(hash)),
    async spend(hash, now) {
      const row = resetRows.get(hash)
      if (!row || row.usedAt || row.expiresAt <= now) return false
      resetRows.set(hash, { ...row, usedAt: now })
      return true
    },
  }
  const tx: Repositories = {
    users: usersRepo,
    refreshTokens,
    addresses,
    resetTokens,
    events: {
      async userRegistered(data) {
        events.push(data)
      },
      async verificationRequested(data) {
        verificationEvents.push(data)
      },
      async passwordResetRequested(data) {
        resetEvents.push(data)
      },
    },
    revocations: {
      async add(entries) {
        storedRevocations.push(...entries)
      },
    },
  }
  const store: Store = {
    users: usersRepo,
    addresses,
    transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      const run = queue.then(async () => {
        const saved = {
          userRows: new Map(userRows),
          tokenRows: new Map(tokenRows),
          events,
          verificationEvents,
          storedRevocations,
          addressRows: new Map(addressRows),
          resetRows: new Map(resetRows),
          resetEvents,
        }
        events = [...events]
        resetEvents = [...resetEvents]
        verificationEvents = [...verificationEvents]
        storedRevocations = [...storedRevocations]
        try {
          return await work(tx)
        } catch (error) {
          ;({
            userRows,
            tokenRows,
            events,
            verificationEvents,
            storedRevocations,
            addressRows,
            resetRows,
            resetEvents,
          } = saved)
          throw error
        }
      })
      queue = run.catch(() => undefined)
      return run
    },
    async purgeExpiredSessions(cutoff) {
      const newest = new Map<string, number>()
      for (const token of tokenRows.values()) {
        const at = token.expiresAt.getTime()
        newest.set(token.familyId, Math.max(newest.get(token.familyId) ?? 0, at))
      }
      let deleted = 0
      for (const [hash, token] of tokenRows) {
        if (newest.get(token.familyId)! < cutoff.getTime()) {
          tokenRows.delete(hash)
          deleted += 1
        }
      }
      return deleted
    },
    activeRevocations: async (now) => storedRevocations.filter((e) => e.until > now),
    async purgeRevocations(now) {
      const before = storedRevocations.length
      storedRevocations = storedRevocations.filter((e) => e.until > now)
      return before - storedRevocations.length
    },
    async purgeResetTokens(cutoff) {
      let deleted = 0
      for (const [hash, row] of resetRows) {
        if (row.expiresAt < cutoff) {
          resetRows.delete(hash)
          deleted += 1
        }
      }
      return deleted
    },
  }
  return {
    store,
    faults,
    users: () => [...userRows.values()],
    tokens: () => [...tokenRows.values()],
    events: () => events,
    verificationEvents: () => verificationEvents,
    storedRevocations: () => storedRevocations,
    addresses: () => [...addressRows.values()],
    resetTokens: () => [...resetRows.values()],
    resetEvents: () => resetEvents,
  }
}

function copy<T extends object>(row: T | undefined): T | undefined {
  return row && { ...row }
}

/** Hashes are `hashed:<password>`; every call is recorded. */
export function createFakeHasher() {
  const verified: string[] = []
  const hasher: PasswordHasher = {
    hash: async (password) => `hashed:${password}`,
    async verify(hash, password) {
      verified.push(hash)
      return hash === `hashed:${password}`
    },
  }
  return { hasher, verified }
}

/**
 * Tokens are `fake-token-<n>` (guests' `fake-guest-token-<n>`); `issued` (`guests`) tells the
 * identity each was issued for.
 */
export function createFakeAccessTokens(): AccessTokens & {
  issued: Map<string, Identity>
  guests: Map<string, GuestIdentity>
} {
  const issued = new Map<string, Identity>()
  const guests = new Map<string, GuestIdentity>()
  return {
    issued,
    guests,
    async issue(identity) {
      const token = `fake-token-${issued.size + 1}`
      issued.set(token, identity)
      return { token, expiresIn: 900 }
    },
    async issueGuest(identity, ttlSeconds) {
      const token = `fake-guest-token-${guests.size + 1}`
      guests.set(token, identity)
      return { token, expiresIn: ttlSeconds }
    },
  }
}

/**
 * Verification tokens `verify:<userId>:<email>:<expires ms>:<sig>`: `check` refuses any whose
 * signature part is not `ok` (a forged one) and those past their expiry.
 */
export function createFakeVerificationTokens(now: () => Date, ttlSeconds = 86_400) {
  const tokens: VerificationTokens = {
    async issue({ userId, email }) {
      const expiresAt = new Date(now().getTime() + ttlSeconds * 1000)
      return { token: `verify:${userId}:${email}:${expiresAt.getTime()}:ok`, expiresAt }
    },
    async check(token) {
      const [kind, userId, email, expires, sig] = token.split(':')
      if (kind !== 'verify' || sig !== 'ok' || !userId || !email) {
        return { ok: false, reason: 'invalid' }
      }
      if (Number(expires) <= now().getTime()) return { ok: false, reason: 'expired' }
      return { ok: true, userId, email }
    },
  }
  return tokens
}

/** A revocation list in memory that records what was added. */
export function createFakeRevocationList(): RevocationList & { added: RevocationEntry[] } {
  const added: RevocationEntry[] = []
  return {
    added,
    async add(entries) {
      added.push(...entries)
    },
    isRevoked: (token) =>
      added.some((e) =>
        e.kind === 'session'
          ? e.sessionId === token.sessionId
          : e.userId === token.userId && (token.issuedAt?.getTime() ?? 0) <= e.before.getTime(),
      ),
  }
}

/** A clock the test moves. */
export function createClock(start = new Date('2030-01-01T00:00:00Z')) {
  let current = start.getTime()
  return {
    now: () => new Date(current),
    advance(seconds: number) {
      current += seconds * 1000
    },
  }
}

/** The session deps of every use case, with fakes, and ADMIN_EMAILS = admin@example.com. */
export function createFakes() {
  const store = createFakeStore()
  const hasher = createFakeHasher()
  const accessTokens = createFakeAccessTokens()
  const clock = createClock()
  const revocations = createFakeRevocationList()
  const session: SessionDeps & VerificationDeps & RevokeDeps & { revocations: RevocationList } = {
    accessTokens,
    admins: new Set(['admin@example.com']),
    refreshTokenTtlSeconds: 3600,
    now: clock.now,
    verificationTokens: createFakeVerificationTokens(clock.now),
    publicUrl: 'https://shop.example',
    revocations,
    revocationTtlMs: 960_000,
  }
  return { ...store, fakeStore: store, hasher, accessTokens, clock, session, revocations }
}
