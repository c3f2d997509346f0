import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { AppError } from '../errors.js'
import { createJwtVerifier, createLocalJwtVerifier } from './jwt-verifier.js'

const rules = { issuer: 'emporium-users', audience: 'emporium' }

interface Signer {
  jwk: JWK
  sign(claims?: Record<string, unknown>, options?: { exp?: number | string }): Promise<string>
}

async function signer(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' }
  return {
    jwk,
    sign: (claims = {}, options = {}) =>
      new SignJWT({
        sub: 'user-1',
        iss: 'emporium-users',
        aud: 'emporium',
        jti: 'token-1',
        roles: ['customer'],
        ...claims,
      })
        .setProtectedHeader({ alg, kid })
        .setIssuedAt()
        .setExpirationTime(options.exp ?? '15m')
        .sign(privateKey),
  }
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AppError)
  return error as AppError
}

describe('createLocalJwtVerifier', () => {
  let good: Signer
  let other: Signer
  beforeAll(async () => {
    good = await signer('k1')
    other = await signer('k1')
  })

  it('returns the identity of a valid token', async () => {
    const verifier = createLocalJwtVerifier([good.jwk], rules)
    const identity = await verifier.verify(await good.sign({ roles: ['customer', 'admin'] }))
    expect(identity).toMatchObject({ userId: 'user-1', roles: ['customer', 'admin'] })
    expect(identity.tokenId).toBe('token-1')
    expect(identity.expiresAt.getTime()).toBeGreaterThan(Date.now())
  })

  it('accepts ES256 as well', async () => {
    const es = await signer('e1', 'ES256')
    const verifier = createLocalJwtVerifier({ keys: [es.jwk] }, rules)
    await expect(verifier.verify(await es.sign())).resolves.toMatchObject({ userId: 'user-1' })
  })

  it('rejects alg none, another key, tampered claims, wrong iss or aud, and garbage', async () => {
    const verifier = createLocalJwtVerifier([good.jwk], rules)
    const valid = await good.sign()
    const [header, payload, signature] = valid.split('.') as [string, string, string]
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as object
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      `${b64({ alg: 'none', kid: 'k1' })}.${payload}.${signature}`,
      `${header}.${b64({ ...claims, roles: ['customer', 'admin'] })}.${signature}`,
      `${b64({ alg: 'HS256', kid: 'k1' })}.${payload}.${signature}`,
      await other.sign(),
      await good.sign({ iss: 'someone-else' }),
      await good.sign({ aud: 'another-app' }),
      'not-a-token',
      `${header}.${payload}`,
      'a'.repeat(10_000),
    ]
    for (const token of forged) {
      const error = await rejection(verifier.verify(token))
      expect(error.code, token.slice(0, 40)).toBe('AUTH.INVALID_TOKEN')
      expect(error.status).toBe(401)
    }
  })

  it('requires sub, jti and roles', async () => {
    const verifier = createLocalJwtVerifier([good.jwk], rules)
    for (const claims of [{ sub: '' }, { jti: undefined }, { roles: 'admin' }, { roles: [1] }]) {
      const token = await good.sign(claims)
      expect((await rejection(verifier.verify(token))).code).toBe('AUTH.INVALID_TOKEN')
    }
  })

  it('says an expired token expired, with a small clock tolerance', async () => {
    const verifier = createLocalJwtVerifier([good.jwk], rules)
    const now = Math.floor(Date.now() / 1000)
    const expired = await good.sign({}, { exp: now - 60 })
    expect((await rejection(verifier.verify(expired))).code).toBe('AUTH.TOKEN_EXPIRED')
    await expect(verifier.verify(await good.sign({}, { exp: now - 2 }))).resolves.toBeDefined()
  })
})

describe('createJwtVerifier (remote JWKS)', () => {
  function fakeIssuer(initial: JWK[]) {
    const state = { keys: initial, up: true, fetches: 0 }
    const fetchImpl = (async () => {
      state.fetches++
      if (!state.up) throw new TypeError('fetch failed: ECONNREFUSED')
      return new Response(JSON.stringify({ keys: state.keys }), {
        headers: { 'content-type': 'application/json' },
      })
    }) as typeof fetch
    return { state, fetch: fetchImpl }
  }

  it('fetches once, then verifies from the cache, also while the issuer is down', async () => {
    const key = await signer('k1')
    const issuer = fakeIssuer([key.jwk])
    const verifier = createJwtVerifier({
      ...rules,
      jwksUrl: 'http://users/.well-known/jwks.json',
      fetch: issuer.fetch,
      keysMaxAgeMs: 0, // always stale: a refresh is attempted, and fails, in the background
      keysCooldownMs: 0,
      cachedTokens: 0, // each verification goes to the key set
    })
    const token = await key.sign()
    await verifier.verify(token)
    issuer.state.up = false
    for (let i = 0; i < 3; i++) await expect(verifier.verify(token)).resolves.toBeDefined()
    expect(verifier.keys.status()).toMatchObject({ keys: 1, lastError: expect.any(String) })
  })

  it('remembers a token that verified: checking it again needs neither keys nor signature', async () => {
    const key = await signer('k1')
    const issuer = fakeIssuer([key.jwk])
    const verifier = createJwtVerifier({
      ...rules,
      jwksUrl: 'http://users/.well-known/jwks.json',
      fetch: issuer.fetch,
      keysMaxAgeMs: 0, // always stale: every trip to the key set would fetch again
      keysCooldownMs: 0,
    })
    const token = await key.sign()
    const first = await verifier.verify(token)
    await new Promise((r) => setTimeout(r, 20))
    const fetches = issuer.state.fetches
    for (let i = 0; i < 3; i++) expect(await verifier.verify(token)).toEqual(first)
    await new Promise((r) => setTimeout(r, 20))
    expect(issuer.state.fetches).toBe(fetches)
    // A forged token is still checked, and refused, every time.
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    await expect(verifier.verify(forged)).rejects.toMatchObject({ code: 'AUTH.INVALID_TOKEN' })
  })

  it('fetches a new kid on first sight, at most once per cooldown', async () => {
    const first = await signer('k1')
    const second = await signer('k2')
    const issuer = fakeIssuer([first.jwk])
    const verifier = createJwtVerifier({
      ...rules,
      jwksUrl: 'http://users/.well-known/jwks.json',
      fetch: issuer.fetch,
      keysCooldownMs: 60_000,
    })
    await verifier.verify(await first.sign())
    expect(issuer.state.fetches).toBe(1)
    // Rotation before the cooldown has passed: the unknown kid is not fetched yet.
    issuer.state.keys = [first.jwk, second.jwk]
    const rotated = await second.sign()
    expect((await rejection(verifier.verify(rotated))).code).toBe('AUTH.INVALID_TOKEN')
    expect(issuer.state.fetches).toBe(1)

    const eager = createJwtVerifier({
      ...rules,
      jwksUrl: 'http://users/.well-known/jwks.json',
      fetch: issuer.fetch,
      keysCooldownMs: 0,
    })
    issuer.state.keys = [first.jwk]
    await eager.verify(await first.sign())
    issuer.state.keys = [first.jwk, second.jwk]
    await expect(eager.verify(rotated)).resolves.toMatchObject({ userId: 'user-1' })
    await expect(eager.verify(await first.sign())).resolves.toBeDefined()
  })

  it('answers unavailable (not a hang, not a 401) when no key was ever fetched', async () => {
    const key = await signer('k1')
    const issuer = fakeIssuer([key.jwk])
    issuer.state.up = false
    const verifier = createJwtVerifier({
      ...rules,
      jwksUrl: 'http://users/.well-known/jwks.json',
      fetch: issuer.fetch,
    })
    const error = await rejection(verifier.verify(await key.sign()))
    expect(error.code).toBe('AUTH.KEYS_UNAVAILABLE')
    expect(error.status).toBe(503)
    issuer.state.up = true
    await verifier.keys.refresh()
    await expect(verifier.verify(await key.sign())).resolves.toBeDefined()
  })
})
