import { describe, expect, it } from 'vitest'
import { createChangePassword } from './change-password.js'
import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createRegister } from './register.js'
import { createSetAdmin } from './set-admin.js'

async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const credentials = { email: 'hal@example.com', password: 'correct horse' }
  const first = await createRegister(deps)({ ...credentials, name: 'Hal' })
  const second = await createLogin(deps)(credentials)
  const identityOf = (accessToken: string) => fakes.accessTokens.issued.get(accessToken)!
  return { ...fakes, deps, first, second, identityOf, credentials }
}

describe('change password', () => {
  it('changes it and revokes every other session, refresh and access tokens alike', async () => {
    const { deps, first, second, identityOf, tokens, revocations, users } = await setup()
    const caller = identityOf(second.accessToken)
    await createChangePassword(deps)(caller, {
      currentPassword: 'correct horse',
      newPassword: 'tangerine velvet orbit 42',
    })
    expect(users()[0]?.passwordHash).toBe('hashed:tangerine velvet orbit 42')
    const firstFamily = identityOf(first.accessToken).sessionId
    expect(tokens().find((t) => t.familyId === firstFamily)?.revokedAt).not.toBeNull()
    expect(tokens().find((t) => t.familyId === caller.sessionId)?.revokedAt).toBeNull()
    expect(revocations.isRevoked(identityOf(first.accessToken))).toBe(true)
    expect(revocations.isRevoked(caller)).toBe(false)
  })

  it('refuses a wrong current password (403) and a weak new one (400), changing nothing', async () => {
    const { deps, second, identityOf, users, revocations } = await setup()
    const change = createChangePassword(deps)
    const caller = identityOf(second.accessToken)
    await expect(
      change(caller, { currentPassword: 'wrong horse!', newPassword: 'tangerine velvet orbit 42' }),
    ).rejects.toMatchObject({ kind: 'forbidden', code: 'USERS.WRONG_PASSWORD' })
    await expect(
      change(caller, { currentPassword: 'correct horse', newPassword: 'short' }),
    ).rejects.toMatchObject({ kind: 'invalid', code: 'USERS.WEAK_PASSWORD' })
    expect(users()[0]?.passwordHash).toBe('hashed:correct horse')
    expect(revocations.added).toEqual([])
  })
})

describe('set admin', () => {
  it('grants, then revokes with every token of the account void; unknown e-mail is 404', async () => {
    const { deps, second, identityOf, revocations, clock } = await setup()
    const setAdmin = createSetAdmin(deps)
    const granted = await setAdmin({ action: 'grant', email: 'HAL@example.com' })
    expect(granted).toMatchObject({ changed: true, user: { roles: ['customer', 'admin'] } })
    expect(await setAdmin({ action: 'grant', email: 'hal@example.com' })).toMatchObject({
      changed: false,
    })
    const token = { ...identityOf(second.accessToken), issuedAt: clock.now() }
    expect(revocations.isRevoked(token)).toBe(false)
    const revoked = await setAdmin({ action: 'revoke', email: 'hal@example.com' })
    expect(revoked).toMatchObject({ changed: true, user: { roles: ['customer'] } })
    expect(revocations.isRevoked(token)).toBe(true)
    await expect(setAdmin({ action: 'grant', email: 'nobody@example.com' })).rejects.toMatchObject({
      kind: 'not_found',
      code: 'USERS.UNKNOWN_EMAIL',
    })
  })

  it('a revoke whose list update failed is finished by running it again', async () => {
    const { deps, second, identityOf, revocations, clock } = await setup()
    const setAdmin = createSetAdmin(deps)
    await setAdmin({ action: 'grant', email: 'hal@example.com' })
    const token = { ...identityOf(second.accessToken), issuedAt: clock.now() }
    const add = revocations.add
    revocations.add = async () => {
      throw new Error('Redis unreachable')
    }
    await expect(setAdmin({ action: 'revoke', email: 'hal@example.com' })).rejects.toThrow(
      'Redis unreachable',
    )
    expect(revocations.isRevoked(token)).toBe(false)
    revocations.add = add
    clock.advance(5)
    const again = await setAdmin({ action: 'revoke', email: 'hal@example.com' })
    expect(again).toMatchObject({ changed: false, user: { roles: ['customer'] } })
    expect(revocations.isRevoked(token)).toBe(true)
  })
})
