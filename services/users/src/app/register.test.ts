import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createRegister } from './register.js'
import { hashRefreshToken } from './session.js'

function setup() {
  const fakes = createFakes()
  const register = createRegister({
    ...fakes.session,
    store: fakes.store,
    hasher: fakes.hasher.hasher,
  })
  return { ...fakes, register }
}

const alice = { email: '  Alice@Example.COM ', password: 'correct horse', name: ' Alice ' }

describe('register', () => {
  it('creates the account normalised, its first session and user.registered, together', async () => {
    const { register, users, tokens, events, clock } = setup()
    const result = await register(alice)
    expect(result).toEqual({
      user: {
        id: expect.any(String),
        email: 'alice@example.com',
        name: 'Alice',
        roles: ['customer'],
        emailVerified: false,
      },
      accessToken: 'fake-token-1',
      refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresIn: 900,
    })
    expect(users()).toEqual([
      expect.objectContaining({ email: 'alice@example.com', passwordHash: 'hashed:correct horse' }),
    ])
    // Only the hash of the refresh token is stored.
    expect(tokens()).toEqual([
      expect.objectContaining({
        tokenHash: hashRefreshToken(result.refreshToken),
        userId: result.user.id,
        usedAt: null,
        revokedAt: null,
      }),
    ])
    expect(events()).toEqual([
      {
        userId: result.user.id,
        email: 'alice@example.com',
        name: 'Alice',
        roles: ['customer'],
        registeredAt: clock.now().toISOString(),
      },
    ])
  })

  it('refuses an e-mail registered already, in any case, with a 409', async () => {
    const { register, users } = setup()
    await register(alice)
    await expect(register({ ...alice, email: 'ALICE@example.com' })).rejects.toMatchObject({
      kind: 'conflict',
      code: 'USERS.EMAIL_TAKEN',
    })
    expect(users()).toHaveLength(1)
  })

  it('answers 409 and writes nothing when a concurrent registration took the e-mail', async () => {
    const { register, faults, users, tokens, events } = setup()
    faults.nextInsertTaken = true
    await expect(register(alice)).rejects.toMatchObject({ code: 'USERS.EMAIL_TAKEN' })
    expect([users(), tokens(), events()]).toEqual([[], [], []])
  })

  it.each([
    ['a weak password', { password: 'short' }, 'USERS.WEAK_PASSWORD', '/body/password'],
    ['a huge password', { password: 'x'.repeat(1025) }, 'USERS.WEAK_PASSWORD', '/body/password'],
    ['a bad e-mail', { email: 'not-an-email' }, 'USERS.INVALID_EMAIL', '/body/email'],
    ['a blank name', { name: '   ' }, 'USERS.INVALID_NAME', '/body/name'],
  ])('refuses %s with a 400 naming the field', async (_, change, code, path) => {
    const { register, users } = setup()
    const error = await register({ ...alice, ...change }).catch((e: unknown) => e)
    expect(error).toMatchObject({ kind: 'invalid', code, details: { errors: [{ path }] } })
    expect(users()).toEqual([])
  })

  it('never makes an account admin at registration, even an ADMIN_EMAILS one', async () => {
    const { register, events, verificationEvents } = setup()
    const result = await register({ ...alice, email: 'Admin@Example.com' })
    expect(result.user).toMatchObject({ roles: ['customer'], emailVerified: false })
    expect(events()[0]?.roles).toEqual(['customer'])
    // The link to prove the address is on its way, in the same transaction.
    expect(verificationEvents()).toEqual([
      {
        userId: result.user.id,
        email: 'admin@example.com',
        name: 'Alice',
        link: expect.stringMatching(/^https:\/\/shop\.example\/verify-email#token=verify:/),
        expiresAt: expect.any(String),
      },
    ])
  })
})
