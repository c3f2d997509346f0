import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createRefreshSession } from './refresh-session.js'
import { createRegister } from './register.js'

async function setup() {
  const fakes = createFakes()
  const warnings: string[] = []
  const log = { warn: (_: object, message: string) => void warnings.push(message) }
  const registered = await createRegister({
    ...fakes.session,
    store: fakes.store,
    hasher: fakes.hasher.hasher,
  })({ email: 'dan@example.com', password: 'correct horse', name: 'Dan' })
  const refresh = createRefreshSession({ ...fakes.session, store: fakes.store, log })
  return { ...fakes, refresh, registered, warnings }
}

const invalid = { kind: 'unauthorized', code: 'USERS.INVALID_REFRESH_TOKEN' }

describe('refresh session', () => {
  it('rotates: spends the token and issues a new one in the same family', async () => {
    const { refresh, registered, tokens, accessTokens } = await setup()
    const result = await refresh(registered.refreshToken)
    expect(result).toEqual({
      accessToken: 'fake-token-2',
      refreshToken: expect.any(String),
      expiresIn: 900,
    })
    expect(result.refreshToken).not.toBe(registered.refreshToken)
    const [old, next] = tokens()
    expect(old?.usedAt).not.toBeNull()
    expect(next).toMatchObject({ familyId: old?.familyId, usedAt: null, revokedAt: null })
    expect(accessTokens.issued.get(result.accessToken)?.userId).toBe(registered.user.id)
  })

  it('on reuse of a spent token, fails and revokes the whole family', async () => {
    const { refresh, registered, tokens, warnings } = await setup()
    const rotated = await refresh(registered.refreshToken)
    await expect(refresh(registered.refreshToken)).rejects.toMatchObject(invalid)
    expect(tokens().every((t) => t.revokedAt !== null)).toBe(true)
    await expect(refresh(rotated.refreshToken)).rejects.toMatchObject(invalid)
    expect(warnings).toEqual(['refresh token reused: family revoked'])
  })

  it('lets exactly one of two concurrent refreshes of one token succeed', async () => {
    const { refresh, registered } = await setup()
    const results = await Promise.allSettled([
      refresh(registered.refreshToken),
      refresh(registered.refreshToken),
    ])
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected'])
  })

  it('refuses unknown and expired tokens, without revoking anything for them', async () => {
    const { refresh, registered, clock, tokens } = await setup()
    await expect(refresh('not-a-token')).rejects.toMatchObject(invalid)
    clock.advance(3601)
    await expect(refresh(registered.refreshToken)).rejects.toMatchObject(invalid)
    expect(tokens()[0]).toMatchObject({ usedAt: null, revokedAt: null })
  })
})
