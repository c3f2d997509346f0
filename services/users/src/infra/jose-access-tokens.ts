import { randomUUID } from 'node:crypto'
import { SignJWT } from 'jose'
import {
  createLocalJwtVerifier,
  withRevocations,
  type JwtVerifier,
  type RevocationList,
} from '@emporium/platform'
import type { AccessTokens } from '../app/ports.js'
import type { KeyRing } from './signing-keys.js'

export interface JoseAccessTokensDeps {
  keys: KeyRing
  issuer: string
  audience: string
  ttlSeconds: number
  now: () => Date
}

/** The JWT `typ` of access tokens (RFC 9068), which tells them from this service's other JWTs. */
export const accessTokenType = 'at+jwt'

/** Access tokens as JWTs signed with the key ring's first key (`kid` in the header). */
export function createJoseAccessTokens(deps: JoseAccessTokensDeps): AccessTokens {
  const { keys } = deps
  async function sign(
    identity: { userId: string; roles: string[]; sessionId?: string },
    ttlSeconds: number,
  ) {
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
      .setExpirationTime(iat + ttlSeconds)
      .setJti(randomUUID())
      .sign(keys.signing.privateKey)
    return { token, expiresIn: ttlSeconds }
  }
  return {
    issue: (identity) => sign(identity, deps.ttlSeconds),
    // No `sid`: a guest has no session to end; its token lasts as long as its cart.
    issueGuest: (identity, ttlSeconds) => sign(identity, ttlSeconds),
  }
}

/**
 * The verifier of this service's bearer routes: the platform's, as every other service and the
 * gateway verify, but over the key ring in process (the service would otherwise fetch its own
 * JWKS over HTTP) and with the same revocation list. Same checks and codes everywhere then:
 * `AUTH.INVALID_TOKEN`, `AUTH.TOKEN_EXPIRED`, `AUTH.TOKEN_REVOKED`. A verification link cannot
 * pass for an access token: its audience is another and it has no `roles`.
 */
export function createAccessTokenVerifier(deps: {
  keys: KeyRing
  issuer: string
  audience: string
  revocations: RevocationList
}): JwtVerifier {
  const rules = { issuer: deps.issuer, audience: deps.audience, algorithms: deps.keys.algorithms }
  return withRevocations(createLocalJwtVerifier(deps.keys.jwks, rules), deps.revocations)
}
