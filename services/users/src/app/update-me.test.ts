import { describe, expect, it } from 'vitest'
import { ghost, setupMe } from './me-test-support.js'

describe('updateMe', () => {
  it('changes the name, trimmed; an empty patch changes nothing', async () => {
    const { updateMe, caller, users } = await setupMe()
    expect(await updateMe(caller, { name: '  Gilbert ' })).toMatchObject({ name: 'Gilbert' })
    expect(await updateMe(caller, {})).toMatchObject({ name: 'Gilbert' })
    expect(users()[0]?.name).toBe('Gilbert')
    await expect(updateMe(caller, { name: ' ' })).rejects.toMatchObject({
      code: 'USERS.INVALID_NAME',
    })
  })

  it('answers 401 for a token of an account that does not exist', async () => {
    const { updateMe } = await setupMe()
    await expect(updateMe(ghost, { name: 'x' })).rejects.toMatchObject({ kind: 'unauthorized' })
  })
})
