import type { StaffRole, users } from '@emporium/contracts'
import type { guestRole } from '@emporium/platform/app'
import type { Role } from '../domain/roles.js'

/** An account as stored. */
export interface UserRecord {
  id: string
  /** Normalised (trimmed, lower-cased); unique. */
  email: string
  name: string
  /** PHC string of the password's argon2id hash. Never leaves the service. */
  passwordHash: string
  /** When the owner proved the address (the link of the verification e-mail); null before. */
  emailVerifiedAt: Date | null
  /** Granted to an ADMIN_EMAILS address verified by its own signed-in account, or by `npm run admin -- grant`. */
  isAdmin: boolean
  /** Staff roles an owner gave (issue 19); absent or empty for a shopper. */
  staffRoles?: readonly StaffRole[]
  createdAt: Date
  updatedAt: Date
}

/** A refresh token as stored: only its hash, so a database leak yields no usable token. */
export interface RefreshTokenRecord {
  /** SHA-256 of the token, hex. */
  tokenHash: string
  /** Every token rotated from one login shares a family; reuse of a spent one revokes it. */
  familyId: string
  userId: string
  expiresAt: Date
  usedAt: Date | null
  revokedAt: Date | null
  createdAt: Date
}

export interface Users {
  findById(id: string): Promise<UserRecord | undefined>
  /** By normalised e-mail. */
  findByEmail(email: string): Promise<UserRecord | undefined>
  /** `email_taken` when the e-mail is registered already, including by a concurrent insert. */
  insert(user: UserRecord): Promise<'inserted' | 'email_taken'>
  /** The updated account, or undefined when there is none with that id. */
  updateName(id: string, name: string, now: Date): Promise<UserRecord | undefined>
  /**
   * Marks the address verified (and grants admin when `grantAdmin`) if and only if it is not
   * verified yet, as one conditional update: of two concurrent uses of a link one gets true.
   */
  markVerified(id: string, now: Date, grantAdmin: boolean): Promise<boolean>
  setAdmin(id: string, isAdmin: boolean, now: Date): Promise<void>
  updatePassword(id: string, passwordHash: string, now: Date): Promise<void>
}

export interface RefreshTokens {
  insert(token: RefreshTokenRecord): Promise<void>
  /** Reads the token and locks it until the transaction ends. */
  findForUpdate(tokenHash: string): Promise<RefreshTokenRecord | undefined>
  /**
   * Marks the token used if and only if it is unused, unrevoked and unexpired at `now`, as one
   * conditional update: of two concurrent calls for one token, exactly one gets true.
   */
  spend(tokenHash: string, now: Date): Promise<boolean>
  /** Revokes every token of the family not revoked yet. */
  revokeFamily(familyId: string, now: Date): Promise<void>
  /** The families of the account that still have a token not revoked. */
  liveFamilies(userId: string): Promise<string[]>
}

/** A saved shipping address as stored. Optional fields absent are null. */
export interface AddressRecord {
  id: string
  userId: string
  label: string | null
  name: string
  line1: string
  line2: string | null
  city: string
  postalCode: string
  country: string
  region: string | null
  phone: string | null
  isDefault: boolean
  createdAt: Date
  updatedAt: Date
}

/** The address book, always by account: an address of another account is never found. */
export interface Addresses {
  /** The account's addresses: the default first, then the newest. */
  list(userId: string): Promise<AddressRecord[]>
  /**
   * Locks the account's row until the transaction ends, so that changes to one address book
   * happen one at a time (the count limit and the single default hold under concurrency).
   * False when the account does not exist.
   */
  lockBook(userId: string): Promise<boolean>
  insert(address: AddressRecord): Promise<void>
  /** Writes every field of the address (found by account and id). */
  update(address: AddressRecord): Promise<void>
  remove(userId: string, id: string): Promise<void>
  /** Makes `id` the account's only default (others lose the flag; `updatedAt` unchanged). */
  setDefault(userId: string, id: string): Promise<void>
}

/** A password reset link as stored: only the SHA-256 of its token. */
export interface ResetTokenRecord {
  /** SHA-256 of the token, hex. */
  tokenHash: string
  userId: string
  expiresAt: Date
  usedAt: Date | null
  createdAt: Date
}

export interface ResetTokens {
  /** Deletes every unused token of the account (a newer link voids the older ones). */
  removeUnused(userId: string): Promise<void>
  insert(token: ResetTokenRecord): Promise<void>
  findByHash(tokenHash: string): Promise<ResetTokenRecord | undefined>
  /**
   * Marks the token used if and only if it is unused and unexpired at `now`, as one conditional
   * update: of two concurrent uses, exactly one gets true.
   */
  spend(tokenHash: string, now: Date): Promise<boolean>
}

/** An entry of the revocation list (the platform's `Revocation`). */
export type RevocationEntry =
  | { kind: 'session'; sessionId: string; until: Date }
  | { kind: 'user'; userId: string; before: Date; until: Date }

/** The revocation list every verifier checks (Redis or this process's memory). */
export interface RevocationList {
  add(entries: readonly RevocationEntry[]): Promise<void>
  isRevoked(token: { userId: string; sessionId?: string; issuedAt?: Date }): boolean
}

/** Events written in the transaction of the change they describe (the outbox). */
export interface Events {
  userRegistered(data: users.UserRegisteredData): Promise<void>
  verificationRequested(data: users.UserVerificationRequestedData): Promise<void>
  passwordResetRequested(data: users.UserPasswordResetRequestedData): Promise<void>
}

/** The repositories as one transaction sees them. */
export interface Repositories {
  users: Users
  refreshTokens: RefreshTokens
  addresses: Addresses
  resetTokens: ResetTokens
  events: Events
  /** The stored copy of revocation entries (reloaded at start). */
  revocations: { add(entries: readonly RevocationEntry[]): Promise<void> }
}

/** The service's storage. */
export interface Store {
  /** Reads and writes outside a transaction (events need one: they are not offered here). */
  users: Users
  /** Reads of the address book outside a transaction. */
  addresses: Pick<Addresses, 'list'>
  /** Runs `work` in one transaction: its writes and events commit together or not at all. */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>
  /**
   * Deletes the refresh tokens of every family whose newest token expired before `cutoff`
   * (a family still in use keeps its spent tokens, which reuse detection needs). Returns how
   * many tokens went.
   */
  purgeExpiredSessions(cutoff: Date): Promise<number>
  /** Stored revocation entries still in force at `now`. */
  activeRevocations(now: Date): Promise<RevocationEntry[]>
  /** Deletes the entries no token can need any more; returns how many went. */
  purgeRevocations(now: Date): Promise<number>
  /** Deletes the reset tokens that expired before `cutoff`; returns how many went. */
  purgeResetTokens(cutoff: Date): Promise<number>
}

export interface PasswordHasher {
  /** Off the event loop. */
  hash(password: string): Promise<string>
  /** False for a wrong password or a malformed hash; never throws for either. */
  verify(hash: string, password: string): Promise<boolean>
}

/** Who an access token speaks for, as it is issued. */
export interface Identity {
  userId: string
  roles: Role[]
  /** The session (refresh token family) the token belongs to: its `sid`. */
  sessionId?: string
}

/**
 * The caller of a use case, as the platform's bearer hook verified it: the account and the
 * session its access token names (a `VerifiedToken` is one).
 */
export type Caller = Pick<Identity, 'userId' | 'sessionId'>

export interface IssuedAccessToken {
  token: string
  /** Seconds until it expires. */
  expiresIn: number
}

/** Who a guest's cart token speaks for: a `guest_<uuid>` id, the `guest` role, no session. */
export interface GuestIdentity {
  userId: string
  roles: [typeof guestRole]
}

/** Access tokens are issued here and verified by the platform's verifier (service.ts). */
export interface AccessTokens {
  /** An access token of an account, for the configured access token lifetime. */
  issue(identity: Identity): Promise<IssuedAccessToken>
  /** A guest's cart token: an access token for `ttlSeconds` (USERS_GUEST_TOKEN_TTL_SECONDS). */
  issueGuest(identity: GuestIdentity, ttlSeconds: number): Promise<IssuedAccessToken>
}

/** Signed, expiring links that prove an e-mail address. */
export interface VerificationTokens {
  issue(subject: { userId: string; email: string }): Promise<{ token: string; expiresAt: Date }>
  /** The account and address a token of ours names, or why it is refused. */
  check(
    token: string,
  ): Promise<
    { ok: true; userId: string; email: string } | { ok: false; reason: 'invalid' | 'expired' }
  >
}
