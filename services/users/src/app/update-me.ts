import type { users } from '@emporium/contracts'
import { parseName } from '../domain/name.js'
import type { Caller, Store } from './ports.js'
import { unknownAccount } from './get-me.js'
import { toUser } from './session.js'

export interface UpdateMeDeps {
  store: Store
  now: () => Date
}

/** Changes the caller's own name: the only writable field (roles and e-mail never are). */
export function createUpdateMe(deps: UpdateMeDeps) {
  return async function updateMe(caller: Caller, patch: users.PatchMeBody): Promise<users.User> {
    if (patch.name === undefined) {
      const user = await deps.store.users.findById(caller.userId)
      if (!user) throw unknownAccount()
      return toUser(user)
    }
    const updated = await deps.store.users.updateName(
      caller.userId,
      parseName(patch.name),
      deps.now(),
    )
    if (!updated) throw unknownAccount()
    return toUser(updated)
  }
}
