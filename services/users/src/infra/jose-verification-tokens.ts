import { randomUUID } from 'node:crypto'
import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose'
import type { VerificationTokens } from '../app/ports.js'
import type { KeyRing } from './signing-keys.js'

export interface JoseVerificationTokensDeps {
  keys: KeyRing
  issuer: string
  /** `aud` of access tokens: a verification token's audience is distinct from it. */
  audience: string
  ttlSeconds: number
  now: () => Date
}

/** The JWT `typ` of verification tokens: no access token can pass for one, nor the reverse. */
export const verificationTokenType = 'email-verification+jwt'

/**
 * Verification links as JWTs signed with the access-token keys, but with their own `typ` and
 * audience (`<aud>:verify-email`), so that neither can stand in for the other: verifiers of
 * access tokens check `aud` and require `roles`, which these lack. They name the account (`sub`)
 * and the address (`email`) and expire (`exp`); being single-use is the store's part.
 */
export function createJoseVerificationTokens(deps: JoseVerificationTokensDeps): VerificationTokens {
  const { keys } = deps
  const audience = `${deps.audience}:verify-email`
  return {
    async issue({ userId, email }) {
      const iat = Math.floor(deps.now().getTime() / 1000)
      const exp = iat + deps.ttlSeconds
      const token = await new SignJWT({ email })
        .setProtectedHeader({
          alg: keys.signing.alg,
          kid: keys.signing.kid,
          typ: verificationTokenType,
        })
        .setSubject(userId)
        .setIssuer(deps.issuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(exp)
        .setJti(randomUUID())
        .sign(keys.signing.privateKey)
      return { token, expiresAt: new Date(exp * 1000) }
    },
    async check(token) {
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          algorithms: keys.algorithms,
          issuer: deps.issuer,
          audience,
          typ: verificationTokenType,
          currentDate: deps.now(),
          requiredClaims: ['sub', 'exp', 'email'],
        })
        const { sub, email } = payload
        if (typeof sub !== 'string' || typeof email !== 'string') return invalid
        return { ok: true, userId: sub, email }
      } catch (error) {
        if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' }
        return invalid
      }
    },
  }

  function keyFor(header: JWTHeaderParameters) {
    const key = header.kid === undefined ? undefined : keys.byKid.get(header.kid)
    if (!key || key.alg !== header.alg) throw new Error('no key of ours has this kid and alg')
    return key.publicKey
  }
}

const invalid = { ok: false, reason: 'invalid' } as const
