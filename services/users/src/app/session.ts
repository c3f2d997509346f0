import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { users } from '@emporium/contracts'
import { rolesOf } from '../domain/roles.js'
import type { AccessTokens, Repositories, UserRecord } from './ports.js'

/** What every use case that opens or continues a session needs. */
export interface SessionDeps {
  accessTokens: AccessTokens
  /** Normalised e-mails that get `admin` once verified by their own signed-in account (ADMIN_EMAILS). */
  admins: ReadonlySet<string>
  refreshTokenTtlSeconds: number
  now: () => Date
}

/** A refresh token just stored, and the session (family) it continues. */
export interface StoredRefreshToken {
  refreshToken: string
  familyId: string
}

/** An opaque refresh token: 32 random bytes, base64url. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The stored form of a refresh token: SHA-256, hex (the token has 256 bits: no salt needed). */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The account as clients see it. */
export function toUser(record: UserRecord): users.User {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    roles: rolesOf(record),
    emailVerified: record.emailVerifiedAt !== null,
  }
}

/**
 * Stores a new refresh token for `user` in `tx`, in `familyId` (a new family for a login).
 * Returns the token itself, which exists nowhere else from now on, and its family.
 */
export async function storeRefreshToken(
  tx: Repositories,
  deps: SessionDeps,
  userId: string,
  familyId: string = randomUUID(),
): Promise<StoredRefreshToken> {
  const token = newRefreshToken()
  const now = deps.now()
  await tx.refreshTokens.insert({
    tokenHash: hashRefreshToken(token),
    familyId,
    userId,
    expiresAt: new Date(now.getTime() + deps.refreshTokenTtlSeconds * 1000),
    usedAt: null,
    revokedAt: null,
    createdAt: now,
  })
  return { refreshToken: token, familyId }
}

/** An access token of the session for the account, with its roles as stored now. */
export async function issueTokens(
  deps: SessionDeps,
  user: UserRecord,
  session: StoredRefreshToken,
): Promise<users.TokenResponse> {
  const { token, expiresIn } = await deps.accessTokens.issue({
    userId: user.id,
    roles: rolesOf(user),
    sessionId: session.familyId,
  })
  return { accessToken: token, refreshToken: session.refreshToken, expiresIn }
}
