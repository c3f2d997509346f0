import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createRegister } from './register.js'
import { createRequestPasswordReset, hashResetToken } from './request-password-reset.js'
import { createResetPassword } from './reset-password.js'

async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const credentials = { email: 'hal@example.com', password: 'correct horse' }
  const first = await createRegister(deps)({ ...credentials, name: 'Hal' })
  const second = await createLogin(deps)(credentials)
  const request = createRequestPasswordReset({
    store: fakes.store,
    publicUrl: 'https://shop.example/',
    resetTtlSeconds: 3600,
    now: fakes.clock.now,
  })
  const reset = createResetPassword(deps)
  const identityOf = (accessToken: string) => fakes.accessTokens.issued.get(accessToken)!
  /** The token of the newest link mailed. */
  const lastToken = () => fakes.resetEvents().at(-1)!.resetUrl.split('#token=')[1]!
  return { ...fakes, request, reset, first, second, identityOf, lastToken }
}

const invalid = { kind: 'invalid', code: 'USERS.RESET_TOKEN_INVALID' }

describe('password reset request', () => {
  it('answers {} alike for an unknown address, and mails a link (only its hash stored) for an account', async () => {
    const { request, resetEvents, resetTokens, first, lastToken } = await setup()
    expect(await request({ email: 'nobody@example.com' })).toEqual({})
    expect(resetEvents()).toEqual([])
    expect(resetTokens()).toEqual([])
    expect(await request({ email: ' HAL@example.com ' })).toEqual({})
    expect(resetEvents()).toEqual([
      {
        userId: first.user.id,
        email: 'hal@example.com',
        name: 'Hal',
        resetUrl: expect.stringMatching(
          /^https:\/\/shop\.example\/reset-password#token=[\w-]{43}$/,
        ),
        expiresAt: '2030-01-01T01:00:00.000Z',
      },
    ])
    expect(resetTokens()).toEqual([
      expect.objectContaining({ tokenHash: hashResetToken(lastToken()), usedAt: null }),
    ])
  })
})

describe('password reset confirm', () => {
  it('sets the password, spends the token, ends every session and verifies the address', async () => {
    const { request, reset, users, tokens, revocations, identityOf, first, second, lastToken } =
      await setup()
    await request({ email: 'hal@example.com' })
    const token = lastToken()
    await reset({ token, password: 'tangerine velvet orbit 42' })
    expect(users()[0]).toMatchObject({ passwordHash: 'hashed:tangerine velvet orbit 42' })
    expect(users()[0]?.emailVerifiedAt).not.toBeNull()
    expect(tokens().every((t) => t.revokedAt !== null)).toBe(true)
    expect(revocations.isRevoked(identityOf(first.accessToken))).toBe(true)
    expect(revocations.isRevoked(identityOf(second.accessToken))).toBe(true)
    await expect(reset({ token, password: 'another fine password 7' })).rejects.toMatchObject(
      invalid,
    )
    expect(users()[0]).toMatchObject({ passwordHash: 'hashed:tangerine velvet orbit 42' })
  })

  it('a newer link voids the older one, and a reset voids the other links', async () => {
    const { request, reset, lastToken, users } = await setup()
    await request({ email: 'hal@example.com' })
    const older = lastToken()
    await request({ email: 'hal@example.com' })
    const newer = lastToken()
    await expect(
      reset({ token: older, password: 'tangerine velvet orbit 42' }),
    ).rejects.toMatchObject(invalid)
    await reset({ token: newer, password: 'tangerine velvet orbit 42' })
    expect(users()[0]?.passwordHash).toBe('hashed:tangerine velvet orbit 42')
  })

  it('refuses an expired or unknown token, and a weak password without spending the token', async () => {
    const { request, reset, lastToken, clock, users, revocations } = await setup()
    await request({ email: 'hal@example.com' })
    const token = lastToken()
    await expect(
      reset({ token: 'x'.repeat(43), password: 'tangerine velvet orbit 42' }),
    ).rejects.toMatchObject(invalid)
    await expect(reset({ token, password: 'hal@example.com1' })).rejects.toMatchObject({
      kind: 'invalid',
      code: 'USERS.WEAK_PASSWORD',
    })
    expect(users()[0]?.passwordHash).toBe('hashed:correct horse')
    expect(revocations.added).toEqual([])
    clock.advance(3600)
    await expect(reset({ token, password: 'tangerine velvet orbit 42' })).rejects.toMatchObject(
      invalid,
    )
    expect(users()[0]?.passwordHash).toBe('hashed:correct horse')
  })

  it('of two concurrent uses of one token exactly one wins', async () => {
    const { request, reset, lastToken } = await setup()
    await request({ email: 'hal@example.com' })
    const token = lastToken()
    const results = await Promise.allSettled([
      reset({ token, password: 'tangerine velvet orbit 42' }),
      reset({ token, password: 'another fine password 7' }),
    ])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
  })
})
