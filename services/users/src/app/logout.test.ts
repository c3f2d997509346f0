import { describe, expect, it } from 'vitest'
import { createFakes } from './fakes-test-support.js'
import { createLogin } from './login.js'
import { createLogout } from './logout.js'
import { createRegister } from './register.js'

describe('logout', () => {
  it("revokes the caller's token family, and only the caller's", async () => {
    const fakes = createFakes()
    const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
    const register = createRegister(deps)
    const eve = await register({ email: 'eve@example.com', password: 'correct horse', name: 'E' })
    const fay = await register({ email: 'fay@example.com', password: 'correct horse', name: 'F' })
    const eveAgain = await createLogin(deps)({
      email: 'eve@example.com',
      password: 'correct horse',
    })
    const logout = createLogout({ ...fakes.session, store: fakes.store })

    // Eve presenting Fay's token changes nothing.
    await logout({ userId: eve.user.id }, fay.refreshToken)
    await logout({ userId: eve.user.id }, 'unknown')
    expect(fakes.tokens().every((t) => t.revokedAt === null)).toBe(true)

    await logout({ userId: eve.user.id }, eve.refreshToken)
    const revoked = fakes.tokens().filter((t) => t.revokedAt !== null)
    expect(revoked.map((t) => t.userId)).toEqual([eve.user.id])
    // Her other session (another family) is untouched.
    expect(fakes.tokens().filter((t) => t.userId === eve.user.id)).toHaveLength(2)
    expect(eveAgain.refreshToken).toBeTruthy()
  })
})
