import { SignJWT, exportJWK, generateKeyPair } from 'jose'
import { describe, expect, it } from 'vitest'
import { createLocalJwtVerifier } from './jwt-verifier.js'
import { withRevocations } from './revocation-check.js'
import { createMemoryRevocationList } from './revocations.js'

const minute = 60_000

describe('memory revocation list', () => {
  it('revokes a session by sid, and an account’s tokens issued up to a time', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z')
    const list = createMemoryRevocationList({ now: () => now })
    const until = new Date(now + 15 * minute)
    await list.add([
      { kind: 'session', sessionId: 's-1', until },
      { kind: 'user', userId: 'u-2', before: new Date(now + 500), until },
    ])
    expect(list.isRevoked({ userId: 'u-1', sessionId: 's-1' })).toBe(true)
    expect(list.isRevoked({ userId: 'u-1', sessionId: 's-9' })).toBe(false)
    // `iat` has whole seconds: a token of the revocation's own second is void too.
    expect(list.isRevoked({ userId: 'u-2', issuedAt: new Date(now) })).toBe(true)
    expect(list.isRevoked({ userId: 'u-2', issuedAt: new Date(now + 1000) })).toBe(false)
    expect(list.isRevoked({ userId: 'u-2' })).toBe(true)
    expect(list.isRevoked({ userId: 'u-3', issuedAt: new Date(0) })).toBe(false)
    // Entries leave once no token they name can be valid.
    now += 16 * minute
    await list.add([{ kind: 'session', sessionId: 's-2', until: new Date(now + minute) }])
    expect(list.size()).toBe(1)
    expect(list.isRevoked({ userId: 'u-1', sessionId: 's-1' })).toBe(false)
  })
})

describe('a verifier with revocations', () => {
  it('refuses a revoked token with 401 AUTH.TOKEN_REVOKED, even one it verified before', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k', alg: 'EdDSA', use: 'sig' }
    const sign = (sid: string) =>
      new SignJWT({ roles: ['customer'], sid })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'k' })
        .setSubject('u-1')
        .setIssuer('iss')
        .setAudience('aud')
        .setJti(sid)
        .setIssuedAt()
        .setExpirationTime('15m')
        .sign(privateKey)
    const list = createMemoryRevocationList()
    const verifier = withRevocations(
      createLocalJwtVerifier([jwk], { issuer: 'iss', audience: 'aud' }),
      list,
    )
    const [a, b] = await Promise.all([sign('s-a'), sign('s-b')])
    expect(await verifier.verify(a)).toMatchObject({ userId: 'u-1', sessionId: 's-a' })
    await list.add([{ kind: 'session', sessionId: 's-a', until: new Date(Date.now() + minute) }])
    await expect(verifier.verify(a)).rejects.toMatchObject({
      kind: 'unauthorized',
      code: 'AUTH.TOKEN_REVOKED',
    })
    expect(await verifier.verify(b)).toMatchObject({ sessionId: 's-b' })
  })
})
