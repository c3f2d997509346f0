import { describe, expect, it } from 'vitest'
import { ghost, setupMe } from './me-test-support.js'

describe('getMe', () => {
  it('returns the account of the token, never its password hash', async () => {
    const { getMe, caller, clock } = await setupMe()
    const me = await getMe(caller)
    expect(me).toEqual({
      id: caller.userId,
      email: 'gil@example.com',
      name: 'Gil',
      roles: ['customer'],
      permissions: [],
      emailVerified: false,
      createdAt: clock.now().toISOString(),
    })
  })

  it('answers 401 for a token of an account that does not exist', async () => {
    const { getMe } = await setupMe()
    await expect(getMe(ghost)).rejects.toMatchObject({ kind: 'unauthorized' })
  })
})
