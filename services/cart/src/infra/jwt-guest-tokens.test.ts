import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { AppError, createLocalJwtVerifier, type JwtVerifier } from '@emporium/platform'
import { beforeAll, describe, expect, it } from 'vitest'
import { createJwtGuestTokens } from './jwt-guest-tokens.js'

const rules = { issuer: 'emporium-users', audience: 'emporium' }
let sign: (sub: string, roles: string[], exp?: number) => Promise<string>
let verifier: JwtVerifier

beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'EdDSA' }
  verifier = createLocalJwtVerifier([jwk], rules)
  sign = (sub, roles, exp) =>
    new SignJWT({ roles })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setSubject(sub)
      .setJti('j1')
      .setIssuer(rules.issuer)
      .setAudience(rules.audience)
      .setIssuedAt()
      .setExpirationTime(exp ?? '5m')
      .sign(privateKey)
})

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: AppError) => `${e.status} ${e.code} ${e.message}`,
  )

describe('jwt guest tokens', () => {
  it("names the guest of a valid guest's token", async () => {
    const guests = createJwtGuestTokens(verifier)
    expect(await guests.guestOf(await sign('guest_1', ['guest']))).toBe('guest_1')
  })

  it('refuses with 400 CART.INVALID_CART_TOKEN a missing, bad, expired or account token', async () => {
    const guests = createJwtGuestTokens(verifier)
    const past = Math.floor(Date.now() / 1000) - 60
    expect(await codeOf(guests.guestOf(undefined))).toMatch(
      /^400 CART.INVALID_CART_TOKEN .*missing/,
    )
    expect(await codeOf(guests.guestOf('a.b.c'))).toMatch(
      /^400 CART.INVALID_CART_TOKEN .*not valid/,
    )
    expect(await codeOf(guests.guestOf(await sign('guest_1', ['guest'], past)))).toMatch(
      /^400 CART.INVALID_CART_TOKEN .*expired/,
    )
    for (const roles of [['customer'], ['guest', 'customer'], ['customer', 'admin']]) {
      expect(await codeOf(guests.guestOf(await sign('u1', roles)))).toMatch(
        /^400 CART.INVALID_CART_TOKEN .*not a guest/,
      )
    }
  })

  it('leaves unavailable keys a 503', async () => {
    const down: JwtVerifier = {
      verify: async () => {
        throw new AppError('unavailable', 'AUTH.KEYS_UNAVAILABLE', 'down')
      },
    }
    expect(await codeOf(createJwtGuestTokens(down).guestOf('x'))).toMatch(/^503 AUTH.KEYS/)
  })
})
