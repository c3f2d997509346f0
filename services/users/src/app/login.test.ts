import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createRegister } from './register.js'

async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const registered = await createRegister(deps)({
    email: 'bob@example.com',
    password: 'correct horse',
    name: 'Bob',
  })
  return { ...fakes, login: createLogin(deps), registered }
}

describe('login', () => {
  it('opens a new session (a new refresh token family) for the right password, any e-mail case', async () => {
    const { login, registered, tokens } = await setup()
    const result = await login({ email: ' BOB@example.com', password: 'correct horse' })
    expect(result.user).toEqual(registered.user)
    expect(result.refreshToken).not.toBe(registered.refreshToken)
    const [first, second] = tokens()
    expect(first?.familyId).not.toBe(second?.familyId)
  })

  it('fails alike for a wrong password and an unknown e-mail, verifying a hash either way', async () => {
    const { login, hasher } = await setup()
    const wrongPassword = await login({ email: 'bob@example.com', password: 'wrong' }).catch(
      (e: unknown) => e,
    )
    const unknownEmail = await login({ email: 'nobody@example.com', password: 'x' }).catch(
      (e: unknown) => e,
    )
    for (const error of [wrongPassword, unknownEmail]) {
      expect(error).toMatchObject({
        kind: 'unauthorized',
        code: 'USERS.INVALID_CREDENTIALS',
        message: 'The e-mail or password is wrong.',
      })
    }
    // The unknown e-mail cost a verification too (of a dummy hash), so timing does not tell.
    expect(hasher.verified).toEqual(['hashed:correct horse', 'hashed:not a password of anyone'])
  })

  it('never grants admin at login, not even to a verified ADMIN_EMAILS address (pre-hijacking)', async () => {
    const fakes = createFakes()
    const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
    const carol = { email: 'carol@example.com', password: 'correct horse' }
    const registered = await createRegister(deps)({ ...carol, name: 'C' })
    const listed = createLogin({ ...deps, admins: new Set(['carol@example.com']) })
    expect((await listed(carol)).user.roles).toEqual(['customer'])

    // The mailbox's owner clicked the link without signing in (the password may be anyone's).
    await fakes.store.transaction((tx) =>
      tx.users.markVerified(registered.user.id, fakes.clock.now(), false),
    )
    const result = await listed(carol)
    expect(result.user).toMatchObject({ roles: ['customer'], emailVerified: true })
    expect(fakes.accessTokens.issued.get(result.accessToken)).toMatchObject({
      roles: ['customer'],
      // The access token names its session (the refresh token family).
      sessionId: fakes.tokens().at(-1)?.familyId,
    })
    expect(fakes.users()[0]).toMatchObject({ isAdmin: false })

    // A stored grant (the admin command) shows at login.
    await fakes.store.transaction((tx) =>
      tx.users.setAdmin(registered.user.id, true, fakes.clock.now()),
    )
    expect((await createLogin(deps)(carol)).user.roles).toEqual(['customer', 'admin'])
  })
})
