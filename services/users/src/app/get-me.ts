import { AppError } from '@emporium/platform/app'
import { permissionsOf, type users } from '@emporium/contracts'
import { rolesOf } from '../domain/roles.js'
import type { Caller, Store, UserRecord } from './ports.js'

export interface GetMeDeps {
  store: Store
}

/** A valid token of an account that no longer exists is as good as no token. */
export const unknownAccount = () =>
  new AppError('unauthorized', 'USERS.UNKNOWN_ACCOUNT', 'The account of this token does not exist.')

export function toMe(user: UserRecord): users.Me {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: rolesOf(user),
    // What the back office may show this account (issue 19).
    permissions: [...permissionsOf(rolesOf(user))],
    emailVerified: user.emailVerifiedAt !== null,
    createdAt: user.createdAt.toISOString(),
  }
}

/** The caller's own account, always the one the token names (never an id from the request). */
export function createGetMe(deps: GetMeDeps) {
  return async function getMe(caller: Caller): Promise<users.Me> {
    const user = await deps.store.users.findById(caller.userId)
    if (!user) throw unknownAccount()
    return toMe(user)
  }
}
