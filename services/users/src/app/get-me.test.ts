import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createGetMe } from './get-me.js'
import { createRegister } from './register.js'
import { createUpdateMe } from './update-me.js'

async function setup() {
  const fakes = createFakes()
  const registered = await createRegister({
    ...fakes.session,
    store: fakes.store,
    hasher: fakes.hasher.hasher,
  })({ email: 'gil@example.com', password: 'correct horse', name: 'Gil' })
  const caller = { userId: registered.user.id, roles: registered.user.roles }
  const deps = { store: fakes.store, admins: fakes.session.admins, now: fakes.clock.now }
  return { ...fakes, caller, getMe: createGetMe(deps), updateMe: createUpdateMe(deps) }
}

describe('get and update me', () => {
  it('returns the account of the token, never its password hash', async () => {
    const { getMe, caller, clock } = await setup()
    const me = await getMe(caller)
    expect(me).toEqual({
      id: caller.userId,
      email: 'gil@example.com',
      name: 'Gil',
      roles: ['customer'],
      emailVerified: false,
      createdAt: clock.now().toISOString(),
    })
  })

  it('changes the name, trimmed; an empty patch changes nothing', async () => {
    const { updateMe, caller, users } = await setup()
    expect(await updateMe(caller, { name: '  Gilbert ' })).toMatchObject({ name: 'Gilbert' })
    expect(await updateMe(caller, {})).toMatchObject({ name: 'Gilbert' })
    expect(users()[0]?.name).toBe('Gilbert')
    await expect(updateMe(caller, { name: ' ' })).rejects.toMatchObject({
      code: 'USERS.INVALID_NAME',
    })
  })

  it('answers 401 for a token of an account that does not exist', async () => {
    const { getMe, updateMe } = await setup()
    const ghost = { userId: 'ghost', roles: ['customer' as const] }
    await expect(getMe(ghost)).rejects.toMatchObject({ kind: 'unauthorized' })
    await expect(updateMe(ghost, { name: 'x' })).rejects.toMatchObject({ kind: 'unauthorized' })
  })
})
