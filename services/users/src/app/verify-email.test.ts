import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createRegister } from './register.js'
import { createResendVerification } from './request-verification.js'
import { createVerifyEmail } from './verify-email.js'

async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const registered = await createRegister(deps)({
    email: 'Admin@Example.com',
    password: 'correct horse',
    name: 'Ada',
  })
  const tokenOf = (link: string) => link.slice(link.indexOf('#token=') + '#token='.length)
  const token = tokenOf(fakes.verificationEvents()[0]!.link)
  return {
    ...fakes,
    registered,
    token,
    tokenOf,
    verifyEmail: createVerifyEmail(deps),
    resend: createResendVerification(deps),
    login: () => createLogin(deps)({ email: 'admin@example.com', password: 'correct horse' }),
  }
}

describe('verify e-mail', () => {
  it('verifies the address of the link and grants admin to an ADMIN_EMAILS one only with its own session', async () => {
    const { verifyEmail, token, users, login, registered } = await setup()
    expect((await login()).user.roles).toEqual(['customer'])
    await verifyEmail(token, { userId: registered.user.id })
    expect(users()[0]).toMatchObject({ emailVerifiedAt: expect.any(Date), isAdmin: true })
    expect((await login()).user).toMatchObject({
      roles: ['customer', 'admin'],
      emailVerified: true,
    })
  })

  it('without a session verifies the address but grants no admin (account pre-hijacking)', async () => {
    // The attacker registered the owner's listed address; the owner clicks the mailed link.
    const { verifyEmail, token, users, login, accessTokens } = await setup()
    await verifyEmail(token)
    expect(users()[0]).toMatchObject({ emailVerifiedAt: expect.any(Date), isAdmin: false })
    // The attacker, who holds the password, signs in: verified, not admin.
    const attacker = await login()
    expect(attacker.user).toMatchObject({ roles: ['customer'], emailVerified: true })
    expect(accessTokens.issued.get(attacker.accessToken)).toMatchObject({ roles: ['customer'] })
  })

  it('refuses the session of another account (403) and changes nothing', async () => {
    const { verifyEmail, token, users, registered } = await setup()
    await expect(verifyEmail(token, { userId: 'someone-else' })).rejects.toMatchObject({
      kind: 'forbidden',
      code: 'USERS.VERIFICATION_FOR_ANOTHER_ACCOUNT',
    })
    expect(users()).toEqual([
      expect.objectContaining({ id: registered.user.id, emailVerifiedAt: null, isAdmin: false }),
    ])
    // The link still works for its own account.
    await verifyEmail(token, { userId: registered.user.id })
    expect(users()[0]).toMatchObject({ isAdmin: true })
  })

  it('is single use: a second use, or another link of a verified address, is 410 used', async () => {
    const { verifyEmail, token, resend, registered, verificationEvents, tokenOf } = await setup()
    await resend({ userId: registered.user.id })
    const second = tokenOf(verificationEvents()[1]!.link)
    await verifyEmail(token)
    for (const again of [token, second]) {
      await expect(verifyEmail(again)).rejects.toMatchObject({
        kind: 'gone',
        code: 'USERS.VERIFICATION_TOKEN_USED',
      })
    }
    // And a verified address gets no new link.
    await expect(resend({ userId: registered.user.id })).rejects.toMatchObject({
      code: 'USERS.EMAIL_ALREADY_VERIFIED',
    })
  })

  it('refuses an expired link (410) and a forged or altered one (400), changing nothing', async () => {
    const { verifyEmail, token, clock, users, registered } = await setup()
    await expect(verifyEmail(token.replace(/:ok$/, ':forged'))).rejects.toMatchObject({
      kind: 'invalid',
      code: 'USERS.INVALID_VERIFICATION_TOKEN',
    })
    // A genuine token naming another address than the account's.
    const other = token.replace('admin@example.com', 'eve@example.com')
    await expect(verifyEmail(other)).rejects.toMatchObject({
      code: 'USERS.INVALID_VERIFICATION_TOKEN',
    })
    await expect(verifyEmail('verify:nobody:x@y.z:9000000000000000:ok')).rejects.toMatchObject({
      code: 'USERS.INVALID_VERIFICATION_TOKEN',
    })
    clock.advance(86_401)
    await expect(verifyEmail(token)).rejects.toMatchObject({
      kind: 'gone',
      code: 'USERS.VERIFICATION_TOKEN_EXPIRED',
    })
    expect(users()).toEqual([
      expect.objectContaining({ id: registered.user.id, emailVerifiedAt: null, isAdmin: false }),
    ])
  })
})
