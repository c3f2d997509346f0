import { createHash, randomBytes } from 'node:crypto'
import type { users } from '@emporium/contracts'
import { normalizeEmail } from '../domain/email.js'
import type { Store } from './ports.js'

export interface PasswordResetDeps {
  store: Store
  /** The storefront's base URL: the link is `<base>/reset-password#token=<token>`. */
  publicUrl: string
  /** How long a link works (USERS_PASSWORD_RESET_TTL_SECONDS). */
  resetTtlSeconds: number
  now: () => Date
}

/** An opaque reset token: 32 random bytes, base64url. Only its hash is stored. */
export function newResetToken(): string {
  return randomBytes(32).toString('base64url')
}

/** The stored form of a reset token: SHA-256, hex (the token has 256 bits: no salt needed). */
export function hashResetToken(token: string): string {
  return createHash('sha256').update(token).digest('hex')
}

/**
 * `POST /auth/password-reset`: the same empty answer for any address, registered or not, so it
 * tells nobody which addresses have accounts; a token is drawn and hashed either way. For an
 * account, its unused links are voided, the new one's hash is stored and
 * `user.password-reset-requested` (the link, which the notifications service mails) is written
 * in the same transaction. The token travels in the link's fragment, which browsers never send
 * to a server nor in a Referer.
 */
export function createRequestPasswordReset(deps: PasswordResetDeps) {
  return async function requestPasswordReset(
    input: users.PasswordResetRequestBody,
  ): Promise<users.PasswordResetRequested> {
    const token = newResetToken()
    const tokenHash = hashResetToken(token)
    const user = await deps.store.users.findByEmail(normalizeEmail(input.email))
    if (!user) return {}
    const now = deps.now()
    const expiresAt = new Date(now.getTime() + deps.resetTtlSeconds * 1000)
    await deps.store.transaction(async (tx) => {
      await tx.resetTokens.removeUnused(user.id)
      await tx.resetTokens.insert({
        tokenHash,
        userId: user.id,
        expiresAt,
        usedAt: null,
        createdAt: now,
      })
      await tx.events.passwordResetRequested({
        userId: user.id,
        email: user.email,
        name: user.name,
        resetUrl: `${deps.publicUrl.replace(/\/+$/, '')}/reset-password#token=${token}`,
        expiresAt: expiresAt.toISOString(),
      })
    })
    return {}
  }
}
