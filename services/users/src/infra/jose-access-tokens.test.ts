import { decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose'
import { AppError, createMemoryRevocationList } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import {
  createAccessTokenVerifier,
  createJoseAccessTokens,
  type JoseAccessTokensDeps,
} from './jose-access-tokens.js'
import { generatePrivateJwk, loadKeyRing } from './signing-keys.js'

const alice = { userId: 'u-1', roles: ['customer' as const] }
// The verifier reads the real clock, as every verifier of the platform does: tokens are issued
// around it.
const start = new Date(Math.floor(Date.now() / 1000) * 1000)

async function tokens(keys: object[], overrides: Partial<JoseAccessTokensDeps> = {}) {
  let now = start
  const ring = await loadKeyRing({ keys: JSON.stringify(keys) })
  const rules = { issuer: 'emporium-users', audience: 'emporium' }
  const issuer = createJoseAccessTokens({
    keys: ring,
    ...rules,
    ttlSeconds: 900,
    now: () => now,
    ...overrides,
  })
  const revocations = createMemoryRevocationList()
  const verifier = createAccessTokenVerifier({ keys: ring, ...rules, revocations })
  return { issuer, verifier, ring, revocations, setNow: (d: Date) => void (now = d) }
}

/** The platform code a verifier refuses the token with. */
async function refusal(verify: Promise<unknown>): Promise<string> {
  const error = await verify.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  expect((error as AppError).status).toBe(401)
  return (error as AppError).code
}

describe('jose access tokens', () => {
  it('issues EdDSA JWTs with kid, typ, sub, roles, iat, exp, iss, aud, jti, and verifies them', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer, verifier } = await tokens([key])
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
    expect(await verifier.verify(token)).toMatchObject({ ...alice, issuedAt: start })
  })

  it("issues a guest's cart token: roles ['guest'], no sid, for the guest lifetime", async () => {
    const { issuer, verifier } = await tokens([await generatePrivateJwk('k1')])
    const guest = { userId: 'guest_1', roles: ['guest' as const] as ['guest'] }
    const { token, expiresIn } = await issuer.issueGuest(guest, 2_592_000)
    expect(expiresIn).toBe(2_592_000)
    const claims = decodeJwt(token)
    expect(claims).toMatchObject({ sub: 'guest_1', roles: ['guest'] })
    expect(claims).not.toHaveProperty('sid')
    expect(claims.exp! - claims.iat!).toBe(2_592_000)
    expect(await verifier.verify(token)).toMatchObject({ userId: 'guest_1', roles: ['guest'] })
  })

  it('says an expired token expired (past a 5 s tolerance); refuses other issuers and audiences', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer, verifier, setNow } = await tokens([key])
    // Both read the real clock now, not the file's `start`: a busy machine may load this file
    // long before it runs this test. One expired a second ago (inside the tolerance for 4 s
    // more), the other a minute ago.
    setNow(new Date(Date.now() - 901_000))
    expect(await verifier.verify((await issuer.issue(alice)).token)).toMatchObject(alice)
    setNow(new Date(Date.now() - 960_000))
    const expired = (await issuer.issue(alice)).token
    expect(await refusal(verifier.verify(expired))).toBe('AUTH.TOKEN_EXPIRED')
    const other = await tokens([key], { audience: 'elsewhere' })
    const elsewhere = (await other.issuer.issue(alice)).token
    expect(await refusal(verifier.verify(elsewhere))).toBe('AUTH.INVALID_TOKEN')
    const otherIssuer = await tokens([key], { issuer: 'someone' })
    const someone = (await otherIssuer.issuer.issue(alice)).token
    expect(await refusal(verifier.verify(someone))).toBe('AUTH.INVALID_TOKEN')
  })

  it('refuses alg none, tampered claims, foreign keys, unknown kids and garbage', async () => {
    const { issuer, verifier, ring } = await tokens([await generatePrivateJwk('k1')])
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
    expect(await refusal(verifier.verify(none))).toBe('AUTH.INVALID_TOKEN')

    const { token } = await issuer.issue(alice)
    const [h, , s] = token.split('.')
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), roles: ['admin'] })).toString(
      'base64url',
    )
    expect(await refusal(verifier.verify(`${h}.${forged}.${s}`))).toBe('AUTH.INVALID_TOKEN')

    const foreign = await tokens([await generatePrivateJwk('k1')])
    const signedElsewhere = await foreign.issuer.issue(alice)
    expect(await refusal(verifier.verify(signedElsewhere.token))).toBe('AUTH.INVALID_TOKEN')

    const unknownKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k2', typ: 'at+jwt' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(ring.signing.privateKey)
    expect(await refusal(verifier.verify(unknownKid))).toBe('AUTH.INVALID_TOKEN')
    expect(await refusal(verifier.verify('garbage.token.here'))).toBe('AUTH.INVALID_TOKEN')
  })

  it('refuses a token whose roles claim is not a list of roles', async () => {
    const { verifier, ring } = await tokens([await generatePrivateJwk('k1')])
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
    expect(await refusal(verifier.verify(await sign('admin')))).toBe('AUTH.INVALID_TOKEN')
    expect(await refusal(verifier.verify(await sign([1])))).toBe('AUTH.INVALID_TOKEN')
    expect(await verifier.verify(await sign(['customer']))).toMatchObject(alice)
  })

  it('rotation: after a new key is put first, old tokens verify and new ones carry the new kid', async () => {
    const old = await generatePrivateJwk('old')
    const before = await tokens([old])
    const { token } = await before.issuer.issue(alice)
    const after = await tokens([await generatePrivateJwk('new'), old])
    expect(await after.verifier.verify(token)).toMatchObject(alice)
    const fresh = await after.issuer.issue(alice)
    expect(decodeProtectedHeader(fresh.token).kid).toBe('new')
    // Once the old key is dropped, its tokens no longer verify.
    const dropped = await tokens([await generatePrivateJwk('newer')])
    expect(await refusal(dropped.verifier.verify(token))).toBe('AUTH.INVALID_TOKEN')
  })

  it('refuses a revoked session: AUTH.TOKEN_REVOKED', async () => {
    const { issuer, verifier, revocations } = await tokens([await generatePrivateJwk('k1')])
    const { token } = await issuer.issue({ ...alice, sessionId: 's-1' })
    const other = await issuer.issue({ ...alice, sessionId: 's-2' })
    await revocations.add([
      { kind: 'session', sessionId: 's-1', until: new Date(start.getTime() + 900_000) },
    ])
    expect(await refusal(verifier.verify(token))).toBe('AUTH.TOKEN_REVOKED')
    expect(await verifier.verify(other.token)).toMatchObject({ sessionId: 's-2' })
  })

  it('an account revocation voids its tokens issued before it, not those issued after it in the same second', async () => {
    const key = await generatePrivateJwk('k1')
    const { issuer, verifier, revocations, setNow } = await tokens([key])
    const at = (ms: number) => new Date(start.getTime() + ms)
    setNow(at(200))
    const before = await issuer.issue({ ...alice, roles: ['customer', 'admin'] })
    // Admin revoked at .500; the owner signs in again at .800, in the same second.
    await revocations.add([{ kind: 'user', userId: 'u-1', before: at(500), until: at(900_000) }])
    setNow(at(800))
    const after = await issuer.issue(alice)
    expect(await refusal(verifier.verify(before.token))).toBe('AUTH.TOKEN_REVOKED')
    expect(await verifier.verify(after.token)).toMatchObject({ userId: 'u-1', issuedAt: at(800) })
  })
})
