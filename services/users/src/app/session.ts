import { createHash, randomBytes, randomUUID } from 'node:crypto'
import type { users } from '@emporium/contracts'
import { rolesOf } from '../domain/roles.js'
import type { AccessTokens, Repositories, UserRecord } from './ports.js'

/** What every use case that opens or continues a session needs. */
export interface SessionDeps {
  accessTokens: AccessTokens
  /** Normalised e-mails that get `admin`. */
  admins: ReadonlySet<string>
  refreshTokenTtlSeconds: number
  now: () => Date
}

/** An opaque refresh token: 32 random bytes, base64url. Only its hash is stored. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The stored form of a refresh token: SHA-256, hex (the token has 256 bits: no salt needed). */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/** The account as clients see it, roles computed from the configuration now. */
export function toUser(record: UserRecord, admins: ReadonlySet<string>): users.User {
  return {
    id: record.id,
    email: record.email,
    name: record.name,
    roles: rolesOf(record.email, admins),
  }
}

/**
 * Stores a new refresh token for `user` in `tx`, in `familyId` (a new family for a login).
 * Returns the token itself, which exists nowhere else from now on.
 */
export async function storeRefreshToken(
  tx: Repositories,
  deps: SessionDeps,
  userId: string,
  familyId: string = randomUUID(),
): Promise<string> {
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
  return token
}

/** An access token for the account, with its roles as the configuration says now. */
export async function issueTokens(
  deps: SessionDeps,
  user: UserRecord,
  refreshToken: string,
): Promise<users.TokenResponse> {
  const { token, expiresIn } = await deps.accessTokens.issue({
    userId: user.id,
    roles: rolesOf(user.email, deps.admins),
  })
  return { accessToken: token, refreshToken, expiresIn }
}
