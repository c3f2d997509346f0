import { describe, expect, it } from 'vitest'
import { invalid, setup } from './password-reset-test-support.js'

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
