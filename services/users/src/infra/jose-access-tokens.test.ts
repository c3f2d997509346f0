import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose'
import {
  createLocalJwtVerifier,
  createMemoryRevocationList,
  withRevocations,
} from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { createAuthenticate } from '../app/authenticate.js'
import { createJoseAccessTokens, type JoseAccessTokensDeps } from './jose-access-tokens.js'
import { generatePrivateJwk, loadKeyRing } from './signing-keys.js'

const alice = { userId: 'u-1', roles: ['customer' as const] }
const start = new Date('2030-01-01T00:00:00Z')

async function tokens(keys: object[], overrides: Partial<JoseAccessTokensDeps> = {}) {
  let now = start
  const ring = await loadKeyRing({ keys: JSON.stringify(keys) })
  const issuer = createJoseAccessTokens({
    keys: ring,
    issuer: 'emporium-users',
    audience: 'emporium',
    ttlSeconds: 900,
    now: () => now,
    ...overrides,
  })
  return { issuer, ring, setNow: (d: Date) => void (now = d) }
}

describe('jose access tokens', () => {
  it('issues EdDSA JWTs with kid, typ, sub, roles, iat, exp, iss, aud, jti, and verifies them', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer } = await tokens([key])
    const { token, expiresIn } = await issuer.issue(alice)
    expect(expiresIn).toBe(900)
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
    const iat = start.getTime() / 1000
    expect(decodeJwt(token)).toEqual({
      sub: 'u-1',
      roles: ['customer'],
      iat,
      iat_ms: start.getTime(),
      exp: iat + 900,
      iss: 'emporium-users',
      aud: 'emporium',
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
    })
    expect(await issuer.verify(token)).toMatchObject(alice)
  })

  it('refuses expired tokens (past a 5 s tolerance), and other issuers and audiences', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer, setNow } = await tokens([key])
    const { token } = await issuer.issue(alice)
    setNow(new Date(start.getTime() + 904_000))
    expect(await issuer.verify(token)).toMatchObject(alice)
    setNow(new Date(start.getTime() + 906_000))
    expect(await issuer.verify(token)).toBeUndefined()
    setNow(start)
    const other = await tokens([key], { audience: 'elsewhere' })
    expect(await other.issuer.verify(token)).toBeUndefined()
    const otherIssuer = await tokens([key], { issuer: 'someone' })
    expect(await otherIssuer.issuer.verify(token)).toBeUndefined()
  })

  it('refuses alg none, tampered claims, foreign keys and unknown kids', async () => {
    const { issuer, ring } = await tokens([await generatePrivateJwk('k1')])
    const claims = {
      roles: ['customer', 'admin'],
      sub: 'u-1',
      iss: 'emporium-users',
      aud: 'emporium',
      jti: 'j',
    }
    const iat = start.getTime() / 1000
    const none = new UnsecuredJWT(claims)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .encode()
    expect(await issuer.verify(none)).toBeUndefined()

    const { token } = await issuer.issue(alice)
    const [h, , s] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), roles: ['admin'] })).toString(
      'base64url',
    )
    expect(await issuer.verify(`${h}.${forged}.${s}`)).toBeUndefined()

    const foreign = await tokens([await generatePrivateJwk('k1')])
    const signedElsewhere = await foreign.issuer.issue(alice)
    expect(await issuer.verify(signedElsewhere.token)).toBeUndefined()

    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k2', typ: 'at+jwt' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(ring.signing.privateKey)
    expect(await issuer.verify(unknownKid)).toBeUndefined()
  })

  it('refuses a token whose roles claim is not a list of known roles', async () => {
    const { issuer, ring } = await tokens([await generatePrivateJwk('k1')])
    const iat = start.getTime() / 1000
    const sign = (roles: unknown) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k1', typ: 'at+jwt' })
        .setSubject('u-1')
        .setIssuer('emporium-users')
        .setAudience('emporium')
        .setJti('j')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(ring.signing.privateKey)
    expect(await issuer.verify(await sign(['superuser']))).toBeUndefined()
    expect(await issuer.verify(await sign('admin'))).toBeUndefined()
    expect(await issuer.verify(await sign(['customer']))).toMatchObject(alice)
  })

  it('rotation: after a new key is put first, old tokens verify and new ones carry the new kid', async () => {
    const old = await generatePrivateJwk('old')
    const before = await tokens([old])
    const { token } = await before.issuer.issue(alice)
    const after = await tokens([await generatePrivateJwk('new'), old])
    expect(await after.issuer.verify(token)).toMatchObject(alice)
    const fresh = await after.issuer.issue(alice)
    expect(decodeProtectedHeader(fresh.token).kid).toBe('new')
    // Once the old key is dropped, its tokens no longer verify.
    const dropped = await tokens([await generatePrivateJwk('newer')])
    expect(await dropped.issuer.verify(token)).toBeUndefined()
  })

  it('an account revocation voids its tokens issued before it, not those issued after it in the same second', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer, ring, setNow } = await tokens([key])
    const at = (ms: number) => new Date(start.getTime() + ms)
    setNow(at(200))
    const before = await issuer.issue({ ...alice, roles: ['customer', 'admin'] })
    // Admin revoked at .500; the owner signs in again at .800, in the same second.
    const list = createMemoryRevocationList({ now: () => at(900).getTime() })
    list.apply([{ kind: 'user', userId: 'u-1', before: at(500), until: at(900_000) }])
    setNow(at(800))
    const after = await issuer.issue(alice)
    // The users service's own check, and a verifier of the platform's (the gateway's, a service's).
    const authenticate = createAuthenticate({ accessTokens: issuer, revocations: list })
    await expect(authenticate(`Bearer ${before.token}`)).rejects.toMatchObject({
      code: 'AUTH.TOKEN_REVOKED',
    })
    expect(await authenticate(`Bearer ${after.token}`)).toMatchObject({ userId: 'u-1' })
    const rules = { issuer: 'emporium-users', audience: 'emporium' }
    const verifier = withRevocations(createLocalJwtVerifier(ring.jwks.keys, rules), list)
    await expect(verifier.verify(before.token)).rejects.toMatchObject({
      code: 'AUTH.TOKEN_REVOKED',
    })
    expect(await verifier.verify(after.token)).toMatchObject({ userId: 'u-1', issuedAt: at(800) })
  })
})
