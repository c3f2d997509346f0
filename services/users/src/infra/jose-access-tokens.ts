import { randomUUID } from 'node:crypto'
import { jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose'
import type { AccessTokens, Identity } from '../app/ports.js'
import { issuedAtOf } from '@emporium/platform'
import type { Role } from '../domain/roles.js'
import type { KeyRing } from './signing-keys.js'

export interface JoseAccessTokensDeps {
  keys: KeyRing
  issuer: string
  audience: string
  ttlSeconds: number
  now: () => Date
  /** Allowed clock skew between the issuer and a verifier. Default 5 s. */
  clockToleranceSeconds?: number
}

/** The JWT `typ` of access tokens (RFC 9068), so no other JWT can pass for one. */
export const accessTokenType = 'at+jwt'

const roles: ReadonlySet<string> = new Set<Role>(['customer', 'admin'])

/**
 * Access tokens as JWTs signed with the key ring's first key (`kid` in the header), verified
 * with any key of the ring: the algorithms of the ring only (never `none`, never HMAC), the
 * configured issuer and audience, and a small clock tolerance.
 */
export function createJoseAccessTokens(deps: JoseAccessTokensDeps): AccessTokens {
  const { keys } = deps
  return {
    async issue(identity) {
      const issuedAtMs = deps.now().getTime()
      const iat = Math.floor(issuedAtMs / 1000)
      // `iat_ms`: the issue time to the millisecond, which the revocation list compares with the
      // time of an account's revocation (`iat` alone would void the account's new tokens issued
      // in the revocation's own second, as in a sign-in right after admin is revoked).
      const claims = identity.sessionId
        ? { roles: identity.roles, sid: identity.sessionId, iat_ms: issuedAtMs }
        : { roles: identity.roles, iat_ms: issuedAtMs }
      const token = await new SignJWT(claims)
        .setProtectedHeader({ alg: keys.signing.alg, kid: keys.signing.kid, typ: accessTokenType })
        .setSubject(identity.userId)
        .setIssuer(deps.issuer)
        .setAudience(deps.audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + deps.ttlSeconds)
        .setJti(randomUUID())
        .sign(keys.signing.privateKey)
      return { token, expiresIn: deps.ttlSeconds }
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keyFor, {
          algorithms: keys.algorithms,
          issuer: deps.issuer,
          audience: deps.audience,
          typ: accessTokenType,
          clockTolerance: deps.clockToleranceSeconds ?? 5,
          currentDate: deps.now(),
          requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        })
        return identityOf(payload)
      } catch {
        return undefined
      }
    },
  }

  function keyFor(header: JWTHeaderParameters) {
    const key = header.kid === undefined ? undefined : keys.byKid.get(header.kid)
    if (!key || key.alg !== header.alg) throw new Error('no key of ours has this kid and alg')
    return key.publicKey
  }
}

function identityOf(payload: Record<string, unknown>): Identity | undefined {
  const { sub, roles: claimed, sid } = payload
  if (typeof sub !== 'string' || sub === '' || !Array.isArray(claimed)) return undefined
  if (!claimed.every((r) => typeof r === 'string' && roles.has(r))) return undefined
  const issuedAt = issuedAtOf(payload)
  return {
    userId: sub,
    roles: claimed as Role[],
    ...(typeof sid === 'string' ? { sessionId: sid } : {}),
    ...(issuedAt ? { issuedAt } : {}),
  }
}
