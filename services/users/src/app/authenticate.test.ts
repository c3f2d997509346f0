import { describe, expect, it } from 'vitest'
import { createAuthenticate } from './authenticate.js'
import { createFakeAccessTokens } from './fakes-test-support.js'

describe('authenticate', () => {
  it('accepts a valid bearer token and refuses missing, malformed and unknown ones', async () => {
    const accessTokens = createFakeAccessTokens()
    const { token } = await accessTokens.issue({ userId: 'u1', roles: ['customer'] })
    const authenticate = createAuthenticate({ accessTokens })
    expect(await authenticate(`Bearer ${token}`)).toEqual({ userId: 'u1', roles: ['customer'] })
    expect(await authenticate(`bearer  ${token}`)).toEqual({ userId: 'u1', roles: ['customer'] })
    await expect(authenticate(undefined)).rejects.toMatchObject({
      reason: 'missing',
      code: 'USERS.MISSING_TOKEN',
    })
    for (const header of [`Basic ${token}`, 'Bearer', 'Bearer a b', 'Bearer fake-token-99']) {
      await expect(authenticate(header)).rejects.toMatchObject({
        reason: 'invalid',
        kind: 'unauthorized',
        code: 'USERS.INVALID_TOKEN',
      })
    }
  })
})
