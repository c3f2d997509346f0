import { createFakes } from './fakes-test-support.js'
import { createGetMe } from './get-me.js'
import { createRegister } from './register.js'
import { createUpdateMe } from './update-me.js'

/** A registered account, its caller, and getMe and updateMe over the same fakes. */
export async function setupMe() {
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

/** A caller whose token names an account that does not exist. */
export const ghost = { userId: 'ghost', roles: ['customer' as const] }
